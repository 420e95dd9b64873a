"""Database side of the stories stage: the clustering of stories.py applied to stored articles.

For each new article the index is filled with the published articles around its publication time
(with the stories they are in, editors' decisions included), then the very same StoryIndex that
`vistka stories cluster` runs decides. Editors' merges and splits (admin) lock the articles they
touch: a locked article is never moved, and new articles are compared with stories as the editors
left them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils.html import strip_tags

from vistka.core.models import Article, ArticleStatus, RelatedArticle, Story, Translation
from vistka.pipeline.stories import StoryIndex, StoryParams
from vistka.pipeline.storyterms import Doc

RELATED_MINIMUM = 3


def article_doc(article: Article) -> Doc:
    """The article in the site language when a translation exists, otherwise in the original."""
    shown = article.translation or article
    return Doc(id=str(article.pk), title=shown.title, lead=shown.lead, text=strip_tags(shown.body_html),
               published=article.published_at or article.fetched_at, source=article.source.name)


def build_index(article: Article, params: StoryParams | None = None) -> StoryIndex:
    """An index of the published, grouped articles in the related-posts window around this one.

    Built afresh for every new article, so a decision depends only on what the database holds (the
    same in one process or many workers); what is costly and does not depend on the index — an
    article's terms and MinHash signature — is cached per process.
    """
    params = params or StoryParams.from_options()
    when = article.published_at or article.fetched_at
    window = max(params.related_window, params.story_window)
    nearby = (Article.objects.filter(status=ArticleStatus.PUBLISHED, story__isnull=False,
                                     published_at__gte=when - window, published_at__lte=when + window)
              .exclude(pk=article.pk).select_related("source")
              .prefetch_related(Prefetch("translations", to_attr="site_translations",
                                         queryset=Translation.objects.filter(language=settings.SITE_LANGUAGE)))
              .order_by("published_at", "pk"))
    index = StoryIndex(params)
    for other in nearby:
        other._site_translation = other.site_translations[0] if other.site_translations else False
        index.add(prepared(index, article_doc(other)), str(other.story_id))
    return index


_PREPARED: dict = {}
PREPARED_LIMIT = 50_000  # articles whose terms and signature one process keeps


def prepared(index: StoryIndex, doc: Doc):
    """index.prepare(doc), reusing the article's terms and signature when its text is unchanged."""
    key = (doc.id, hash((doc.title, doc.lead, doc.text)))
    cached = _PREPARED.get(key)
    entry = index.prepare(doc, *(cached or ()))
    if cached is None:
        if len(_PREPARED) >= PREPARED_LIMIT:
            _PREPARED.clear()
        _PREPARED[key] = (entry.features, entry.signature)
    return entry


@transaction.atomic
def assign_story(article: Article, index: StoryIndex | None = None) -> Story:
    """Join the best-matching story (or the story of the article this one copies), or open a new one."""
    if article.story_locked and article.story_id:
        return article.story
    index = index or build_index(article)
    entry = prepared(index, article_doc(article))
    decision = index.decide(entry)
    when = article.published_at or article.fetched_at
    story = Story.objects.filter(pk=int(decision.story)).first() if decision.story else None
    if story is None:
        story = Story.objects.create(title=entry.doc.title[:500], created_at=when, updated_at=when)
    Story.objects.filter(pk=story.pk, updated_at__lt=when).update(updated_at=when)
    article.story = story
    article.duplicate_of_id = int(decision.duplicate_of) if decision.duplicate_of else None
    article.save(update_fields=["story", "duplicate_of"])
    index.add(entry, str(story.pk))
    article._story_index = index  # update_related, which run.py calls next, reuses it
    return story


@transaction.atomic
def update_related(article: Article, index: StoryIndex | None = None) -> list[RelatedArticle]:
    """Store the top related articles from other stories; each of them learns of this one too."""
    index = index or getattr(article, "_story_index", None) or build_index(article)
    key = str(article.pk)
    if key not in index.entries:
        index.add(article_doc(article), str(article.story_id))
    scored = _fill_with_recent(article, [(int(other), score) for other, score in index.related(key)])
    RelatedArticle.objects.filter(article=article).delete()
    # Articles that were "related" before this one joined their story are now coverage, not related.
    if article.story_id:
        RelatedArticle.objects.filter(related=article, article__story_id=article.story_id).delete()
    links = RelatedArticle.objects.bulk_create(
        [RelatedArticle(article=article, related_id=other, score=score) for other, score in scored])
    for other, score in scored:
        RelatedArticle.objects.get_or_create(article_id=other, related=article, defaults={"score": score})
    return links


def _fill_with_recent(article: Article, scored: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """The page always offers RELATED_MINIMUM links: top up with the nearest-in-time articles of other
    stories (score 0, so they rank below every similar one)."""
    if len(scored) >= RELATED_MINIMUM:
        return scored
    when = article.published_at or article.fetched_at
    chosen = {other for other, _ in scored} | {article.pk}
    recent = (Article.objects.filter(status=ArticleStatus.PUBLISHED).exclude(pk__in=chosen)
              .exclude(story_id=article.story_id).order_by("-published_at")[:50])
    by_distance = sorted(recent, key=lambda other: abs((other.published_at or when) - when))
    return scored + [(other.pk, 0.0) for other in by_distance[: RELATED_MINIMUM - len(scored)]]


@transaction.atomic
def merge_stories(stories: list[Story]) -> Story:
    """An editor's merge: every article moves to the oldest story and is locked there."""
    target, *others = sorted(stories, key=lambda story: (story.created_at, story.pk))
    Article.objects.filter(story__in=others).update(story=target)
    Article.objects.filter(story=target).update(story_locked=True)
    Story.objects.filter(pk__in=[story.pk for story in others]).delete()
    _drop_related_within(target)
    return target


@transaction.atomic
def split_articles(articles: list[Article], title: str = "") -> Story:
    """An editor's split: these articles leave their stories for a new one and are locked there."""
    first = min(articles, key=lambda article: (article.published_at or article.fetched_at, article.pk))
    shown = first.translation or first
    when = first.published_at or first.fetched_at
    left = {article.story_id for article in articles if article.story_id}
    story = Story.objects.create(title=(title or shown.title)[:500], created_at=when, updated_at=when)
    Article.objects.filter(pk__in=[article.pk for article in articles]).update(story=story, story_locked=True)
    Story.objects.filter(pk__in=left, articles__isnull=True).delete()
    return story


def _drop_related_within(story: Story) -> None:
    """Related posts come from other stories; links inside one merged story are coverage now."""
    RelatedArticle.objects.filter(article__story=story, related__story=story).delete()
