"""Tagging stage: an article's feed categories become shared topics readers can follow."""

from __future__ import annotations

from django.utils.text import slugify

from vistka.core.models import Article, Topic, TopicKind

MAX_TOPICS_PER_ARTICLE = 12


def topic_for(name: str, kind: str = TopicKind.CATEGORY) -> Topic | None:
    """The topic with this name (matched by slug, so 'Oil refineries' and 'oil  refineries' are one)."""
    clean = " ".join(name.split())[:200]
    slug = slugify(clean, allow_unicode=True)[:120]
    if not slug:
        return None
    topic, _ = Topic.objects.get_or_create(slug=slug, defaults={"name": clean, "kind": kind})
    return topic


def attach_topics(article: Article, names: list[str], kind: str = TopicKind.CATEGORY) -> list[Topic]:
    topics = [topic for topic in (topic_for(name, kind) for name in names[:MAX_TOPICS_PER_ARTICLE]) if topic]
    if topics:
        article.topics.add(*topics)
    return topics
