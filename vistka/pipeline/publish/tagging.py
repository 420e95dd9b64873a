"""Tagging stage: an article's feed categories become shared topics readers can follow.

Topics are looked up and created in bulk: a page with a dozen keywords and entities costs a few
queries, not two or three per name.
"""

from __future__ import annotations

from django.utils.text import slugify

from vistka.core.models import Article, Topic, TopicKind

MAX_TOPICS_PER_ARTICLE = 12


def topics_for(names: list[str], kind: str = TopicKind.CATEGORY) -> list[Topic]:
    """One topic per distinct slug among names, in order; missing ones are created with `kind`."""
    wanted = _by_slug(names)
    if not wanted:
        return []
    found = Topic.objects.in_bulk(list(wanted), field_name="slug")
    missing = [Topic(slug=slug, name=name, kind=kind) for slug, name in wanted.items() if slug not in found]
    if missing:
        # ignore_conflicts: another process may create the same topic meanwhile; its row is then used.
        Topic.objects.bulk_create(missing, ignore_conflicts=True)
        found = Topic.objects.in_bulk(list(wanted), field_name="slug")
    return [found[slug] for slug in wanted]


def attach_topics(article: Article, names: list[str], kind: str = TopicKind.CATEGORY) -> list[Topic]:
    topics = topics_for(names[:MAX_TOPICS_PER_ARTICLE], kind)
    if topics:
        article.topics.add(*topics)
    return topics


def _by_slug(names: list[str]) -> dict[str, str]:
    """slug -> the first clean name that gives it; names without a slug are dropped."""
    wanted: dict[str, str] = {}
    for name in names:
        clean = " ".join(name.split())[:200]
        slug = slugify(clean, allow_unicode=True)[:120]
        if slug:
            wanted.setdefault(slug, clean)
    return wanted
