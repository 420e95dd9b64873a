"""Keep the page cache and the search index in step with the stored content."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from vistka.core.events import articles_withdrawn
from vistka.core.models import Article, ArticleStatus, Comment, Source, Story, Topic, Translation
from vistka.pipeline import stagetimes
from vistka.site import fulltext
from vistka.site.caching import content_changed, taken_down

TAKEN_DOWN = {ArticleStatus.WITHDRAWN, ArticleStatus.REJECTED}


def _now_and_after_commit(mark, using: str) -> None:
    # Now, and again after commit: a page rendered between the save and the commit must not stay current.
    # Outside a transaction the save is already committed and on_commit would run at once: one mark does.
    mark()
    if transaction.get_connection(using).in_atomic_block:
        transaction.on_commit(mark, using=using)


def _shown_article(instance) -> int | None:
    """The article whose own page shows this row (None: only lists show it)."""
    if isinstance(instance, Article):
        return instance.pk
    return getattr(instance, "article_id", None) if isinstance(instance, (Translation, Comment)) else None


def _left_the_site(instance: Article, created: bool, update_fields) -> bool:
    """Withdrawn or rejected; or held back (in review, awaiting translation) by a full save of a stored
    article — an editor's form. (The pipeline's own saves of unpublished articles are partial or new,
    or re-store a failed one: none of those was on the site.)"""
    if instance.status in TAKEN_DOWN:
        return True
    return (not created and update_fields is None
            and instance.status not in (ArticleStatus.PUBLISHED, ArticleStatus.FETCHED, ArticleStatus.FAILED))


def _content_changed(sender, instance=None, using: str = "default", created: bool = False, update_fields=None,
                     **kwargs) -> None:
    """A save: the article's own page at once, lists within VISTKA_PAGE_LIST_DELAY — unless an article
    left the site (then every page at once)."""
    if isinstance(instance, Article) and _left_the_site(instance, created, update_fields):
        _now_and_after_commit(taken_down, using)
        return
    article = _shown_article(instance)
    _now_and_after_commit(lambda: content_changed(article) if article else content_changed(), using)


def _content_deleted(sender, instance=None, using: str = "default", **kwargs) -> None:
    """A deleted article or outlet leaves every page at once; other deletions count as changes."""
    if isinstance(instance, (Article, Source)):
        _now_and_after_commit(taken_down, using)
    else:
        _content_changed(sender, instance=instance, using=using)


def _topics_changed(sender, instance=None, using: str = "default", **kwargs) -> None:
    article = instance.pk if isinstance(instance, Article) else None
    _now_and_after_commit(lambda: content_changed(article) if article else content_changed(), using)


SEARCHED_FIELDS = {"status", "title", "lead", "body_html", "language", "published_at"}


def _article_saved(sender, instance: Article, created: bool = False, update_fields=None, **kwargs) -> None:
    # The pipeline saves an article several times (image, story...); only text or status matter here.
    if update_fields is not None and not SEARCHED_FIELDS & set(update_fields):
        return
    if created and instance.status != ArticleStatus.PUBLISHED:
        return  # a new row is in no index, and joins it only once published (ingest stores, then publishes)
    with stagetimes.stage("index"):
        fulltext.reindex(instance.pk)


def _translation_saved(sender, instance: Translation, **kwargs) -> None:
    fulltext.reindex(instance.article_id)


def _article_deleted(sender, instance: Article, **kwargs) -> None:
    fulltext.remove(instance.pk)


def _articles_taken_down(sender, article_ids: list[int], **kwargs) -> None:
    """Withdrawn or rejected in bulk (core/moderation.py: an update, which sends no save signal): off
    every cached page at once, for every reader, and out of search."""
    _now_and_after_commit(taken_down, "default")
    fulltext.remove(*article_ids)


def connect() -> None:
    for model in (Article, Translation, Story, Topic, Comment, Source):
        post_save.connect(_content_changed, sender=model, dispatch_uid=f"revision-save-{model.__name__}")
        post_delete.connect(_content_deleted, sender=model, dispatch_uid=f"revision-delete-{model.__name__}")
    m2m_changed.connect(_topics_changed, sender=Article.topics.through, dispatch_uid="revision-topics")
    post_save.connect(_article_saved, sender=Article, dispatch_uid="search-article")
    post_save.connect(_translation_saved, sender=Translation, dispatch_uid="search-translation")
    post_delete.connect(_translation_saved, sender=Translation, dispatch_uid="search-translation-delete")
    post_delete.connect(_article_deleted, sender=Article, dispatch_uid="search-article-delete")
    articles_withdrawn.connect(_articles_taken_down, dispatch_uid="search-articles-taken-down")
