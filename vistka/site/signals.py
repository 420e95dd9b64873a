"""Keep the page cache and the search index in step with the stored content."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from vistka.core.models import Article, ArticleStatus, Comment, Source, Story, Topic, Translation
from vistka.core.moderation import articles_withdrawn
from vistka.site import fulltext
from vistka.site.caching import bump_revision


def _content_changed(sender, using: str = "default", **kwargs) -> None:
    # Now, and again after commit: a page rendered between the save and the commit must not stay current.
    # Outside a transaction the save is already committed and on_commit would run at once: one bump does.
    bump_revision()
    if transaction.get_connection(using).in_atomic_block:
        transaction.on_commit(bump_revision, using=using)


SEARCHED_FIELDS = {"status", "title", "lead", "body_html", "language", "published_at"}


def _article_saved(sender, instance: Article, created: bool = False, update_fields=None, **kwargs) -> None:
    # The pipeline saves an article several times (image, story...); only text or status matter here.
    if update_fields is not None and not SEARCHED_FIELDS & set(update_fields):
        return
    if created and instance.status != ArticleStatus.PUBLISHED:
        return  # a new row is in no index, and joins it only once published (ingest stores, then publishes)
    fulltext.reindex(instance.pk)


def _translation_saved(sender, instance: Translation, **kwargs) -> None:
    fulltext.reindex(instance.article_id)


def _article_deleted(sender, instance: Article, **kwargs) -> None:
    fulltext.remove(instance.pk)


def _articles_taken_down(sender, article_ids: list[int], **kwargs) -> None:
    fulltext.remove(*article_ids)
    # Taken down by a queryset update, which sends no post_save: the cached pages (the article's own, the
    # lists showing it) must go stale here, or a reader keeps getting them until the cache expires.
    _content_changed(sender)


def connect() -> None:
    for model in (Article, Translation, Story, Topic, Comment, Source):
        post_save.connect(_content_changed, sender=model, dispatch_uid=f"revision-save-{model.__name__}")
        post_delete.connect(_content_changed, sender=model, dispatch_uid=f"revision-delete-{model.__name__}")
    m2m_changed.connect(_content_changed, sender=Article.topics.through, dispatch_uid="revision-topics")
    post_save.connect(_article_saved, sender=Article, dispatch_uid="search-article")
    post_save.connect(_translation_saved, sender=Translation, dispatch_uid="search-translation")
    post_delete.connect(_translation_saved, sender=Translation, dispatch_uid="search-translation-delete")
    post_delete.connect(_article_deleted, sender=Article, dispatch_uid="search-article-delete")
    articles_withdrawn.connect(_articles_taken_down, dispatch_uid="search-articles-taken-down")
