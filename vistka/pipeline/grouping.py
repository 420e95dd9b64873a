"""Database side of the stories stage: attach an article to a story and store its related posts."""

from __future__ import annotations

from django.db import transaction

from vistka.core.models import Article, ArticleStatus, RelatedArticle, Story
from vistka.pipeline import stories


def article_terms(article: Article) -> stories.Terms:
    """Terms in the site language when a translation exists, otherwise in the original."""
    translation = article.translation
    if translation:
        return stories.terms_of(translation.title, f"{translation.lead} {translation.body_html}")
    return stories.terms_of(article.title, f"{article.lead} {article.body_html}")


def _neighbours(article: Article, window) -> list[Article]:
    when = article.published_at or article.fetched_at
    return list(
        Article.objects.filter(
            status=ArticleStatus.PUBLISHED, published_at__gte=when - window, published_at__lte=when + window
        )
        .exclude(pk=article.pk)
        .select_related("source", "story")
        .prefetch_related("translations")
    )


@transaction.atomic
def assign_story(article: Article) -> Story:
    """Join the most similar recent story above the threshold, or open a new one."""
    own = article_terms(article)
    best, best_score = None, 0.0
    for other in _neighbours(article, stories.STORY_WINDOW):
        if other.story_id is None or other.source_id == article.source_id:
            continue
        score = stories.similarity(own, article_terms(other))
        if score > best_score:
            best, best_score = other, score
    if best is not None and best_score >= stories.JOIN_THRESHOLD:
        story = best.story
    else:
        title = article.translation.title if article.translation else article.title
        story = Story.objects.create(title=title[:500], created_at=article.published_at or article.fetched_at)
    story.updated_at = max(story.updated_at, article.published_at or article.fetched_at)
    story.save(update_fields=["updated_at"])
    article.story = story
    article.save(update_fields=["story"])
    return story


@transaction.atomic
def update_related(article: Article) -> list[RelatedArticle]:
    """Store the top related articles from other stories; both sides learn of each other."""
    own = article_terms(article)
    scored = []
    for other in _neighbours(article, stories.RELATED_WINDOW):
        if other.story_id and other.story_id == article.story_id:
            continue
        score = stories.similarity(own, article_terms(other))
        if score >= stories.RELATED_THRESHOLD:
            scored.append((score, other))
    scored.sort(key=lambda pair: pair[0], reverse=True)
    scored = _fill_with_recent(article, scored)
    RelatedArticle.objects.filter(article=article).delete()
    # Articles that were "related" before this one joined their story are now coverage, not related.
    if article.story_id:
        RelatedArticle.objects.filter(related=article, article__story_id=article.story_id).delete()
    links = [RelatedArticle(article=article, related=other, score=score)
             for score, other in scored[: stories.RELATED_COUNT]]
    RelatedArticle.objects.bulk_create(links)
    for score, other in scored[: stories.RELATED_COUNT]:
        RelatedArticle.objects.get_or_create(article=other, related=article, defaults={"score": score})
    return links


def _fill_with_recent(article: Article, scored: list[tuple[float, Article]]) -> list[tuple[float, Article]]:
    """Top up to RELATED_MINIMUM with the nearest-in-time articles of other stories (score 0)."""
    if len(scored) >= stories.RELATED_MINIMUM:
        return scored
    chosen = {other.pk for _, other in scored}
    when = article.published_at or article.fetched_at
    others = (
        Article.objects.filter(status=ArticleStatus.PUBLISHED)
        .exclude(pk__in=chosen | {article.pk})
        .exclude(story_id=article.story_id)
        .order_by("-published_at")[:50]
    )
    by_distance = sorted(others, key=lambda other: abs((other.published_at or when) - when))
    missing = stories.RELATED_MINIMUM - len(scored)
    return scored + [(0.0, other) for other in by_distance[:missing]]
