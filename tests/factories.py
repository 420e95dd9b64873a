"""Build stored objects for view tests without running the pipeline."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from vistka.core.events import content_changed
from vistka.core.models import Article, ArticleStatus, Source, Story, Topic, Translation

KYIV = timezone(timedelta(hours=2))


def remove_everything_ingested() -> None:
    """A module fixture's teardown after a committed ingest: its outlets, stories and topics deleted, and
    announced as `vistka sources remove` does (an ORM delete alone leaves the articles in the search)."""
    ingested = list(Article.objects.values_list("pk", flat=True))
    Story.objects.all().delete()
    Source.objects.all().delete()
    Topic.objects.all().delete()
    content_changed(ingested, everywhere=True)


def make_source(name="Radio Test", language="uk", homepage="https://www.radiotest.org/") -> Source:
    return Source.objects.create(name=name, homepage=homepage, feed_url=homepage + "rss", language=language)


def make_article(source: Source, n: int = 1, *, story: Story | None = None, translated: bool = True,
                 title: str | None = None, body_html: str = "<p>Тіло статті.</p>", **fields) -> Article:
    fields.setdefault("status", ArticleStatus.PUBLISHED)
    article = Article.objects.create(
        source=source, guid=f"guid-{source.pk}-{n}", url=f"{source.homepage}a/{n}.html",
        title=title or f"Заголовок {n}", lead="Лід статті.", body_html=body_html, language=source.language,
        published_at=datetime(2025, 1, 27, 12, n % 60, tzinfo=KYIV),
        story=story, **fields,
    )
    if translated and source.language != "en":
        Translation.objects.create(article=article, language="en", title=f"Headline {n}", lead="The lead.",
                                   body_html="<p>The body.</p>", engine="ctranslate2", model_id="test-model")
    if article.status == ArticleStatus.PUBLISHED:
        content_changed([article.pk])  # as every write path does (vistka/core/events.py)
    return article
