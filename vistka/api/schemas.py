"""What the API returns. Public shapes carry only what the site itself shows: no e-mails, no health data,
and article text cut to the source's licence mode."""


from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field, HttpUrl

from vistka.config.choices import DEFAULT_LICENCE_MODE, LICENCE_MODES
from vistka.core.weburl import http_url

LicenceModeName = Literal[tuple(LICENCE_MODES)]  # the modes as the API schema lists them


class SourceOut(Schema):
    id: int
    name: str
    homepage: str
    language: str
    licence_mode: str
    active: bool

    @staticmethod
    def resolve_homepage(source) -> str:
        # Only a web address is handed on: API clients render it as a link.
        return http_url(source["homepage"] if isinstance(source, dict) else source.homepage)


class SourceIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    feed_url: HttpUrl
    homepage: HttpUrl | None = None
    language: str = Field(pattern=r"^[a-z]{2,3}$")
    licence_mode: LicenceModeName = DEFAULT_LICENCE_MODE
    review_required: bool = False


class SourcePatch(Schema):
    active: bool | None = None
    licence_mode: LicenceModeName | None = None
    review_required: bool | None = None


class TranslationOut(Schema):
    provenance: Literal["editors", "machine"] = Field(
        description='"editors": translated by people (the editors\' translation memory); "machine": by an engine.')
    engine: str = Field(description="The machine-translation engine; empty for the editors' translations.")
    model_id: str
    reviewed: bool = Field(description="An editor has checked (or written) this translation.")


class ArticleOut(Schema):
    id: int
    url: str = Field(description="The article's page on this site.")
    original_url: str
    source: SourceOut
    language: str = Field(description="Language the outlet wrote in.")
    title: str
    lead: str
    body_html: str = Field(description="Sanitised HTML, cut to what the source's licence mode allows.")
    licence_mode: str
    truncated: bool = Field(description="True when only an excerpt or a summary is given: follow original_url.")
    translated: bool
    translation: TranslationOut | None = Field(description="Who translated the text shown; null when untranslated.")
    published_at: datetime | None
    story_id: int | None


class StoryOut(Schema):
    id: int
    title: str
    created_at: datetime
    updated_at: datetime
    article_ids: list[int] = Field(description="Its published articles, oldest first.")

    @staticmethod
    def resolve_article_ids(story) -> list[int]:
        from vistka.core.models import ArticleStatus

        return list(story.articles.filter(status=ArticleStatus.PUBLISHED).order_by("published_at", "id")
                    .values_list("pk", flat=True))


class StatusIn(Schema):
    status: Literal["published", "rejected", "withdrawn"]


class StatusOut(Schema):
    id: int
    status: str


class Error(Schema):
    detail: str
