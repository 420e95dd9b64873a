"""Endpoints. Reading is public and rate-limited; changing needs a token whose user has the permission."""


from datetime import datetime
from typing import Annotated

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
from ninja.errors import HttpError, ValidationError
from ninja.pagination import CursorPagination, paginate
from pydantic import Field
from pydantic import ValidationError as PydanticValidationError

from vistka.api.auth import TokenAuth
from vistka.api.schemas import (
    ArticleOut,
    Error,
    SourceIn,
    SourceOut,
    SourcePatch,
    StatusIn,
    StatusOut,
    StoryOut,
)
from vistka.api.shaping import article_record, public_articles
from vistka.core.events import content_changed
from vistka.core.models import Article, ArticleStatus, Source, Story
from vistka.pipeline.publish import set_status

# One router: reading and managing share paths (GET /sources, POST /sources), which Django's URL
# resolver can only serve from one pattern. Managing operations name their auth one by one.
router = Router(tags=["reading"])
TOKEN = {"auth": TokenAuth(), "tags": ["managing"]}
NEWEST_FIRST = {"ordering": ("-id",), "page_size": 20, "max_page_size": 100}
# An id the databases can hold (a 64-bit signed integer): a larger one is a 422, not a driver overflow.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class CheckedCursorPagination(CursorPagination):
    """django-ninja's cursor pagination, where a cursor that decodes to impossible values (an offset
    of 10^20, found by the schema fuzzer; a position that is not an id) is the client's mistake, a
    422, not a server error. Every listing here is ordered by id, so a position is an id."""

    class Cursor(CursorPagination.Cursor):
        @classmethod
        def from_encoded_param(cls, encoded_param, context=None):
            try:
                cursor = super().from_encoded_param(encoded_param, context)
            except PydanticValidationError as error:
                raise ValidationError([{"cursor": "Invalid Cursor"}]) from error
            if cursor.p is not None and not (cursor.p.isdecimal() and int(cursor.p) < 2**63):
                raise ValidationError([{"cursor": "Invalid Cursor"}])
            return cursor


class ListedArticles(CheckedCursorPagination):
    """Cursor pagination that turns each article of the page into its licence-obeying record."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["results"] = [article_record(item, request) for item in page["results"]]
        return page


@router.get("/articles", response=list[ArticleOut])
@paginate(ListedArticles, **NEWEST_FIRST)
def list_articles(request, source: Id | None = None, language: str | None = None, story: Id | None = None,
                  since: datetime | None = Query(None, description="Published at or after (ISO 8601).")):  # noqa: B008
    """Published articles, newest first; filter by source id, original language, story id, date."""
    articles = public_articles()
    if source is not None:
        articles = articles.filter(source_id=source)
    if language:
        articles = articles.filter(language=language)
    if story is not None:
        articles = articles.filter(story_id=story)
    if since is not None:
        articles = articles.filter(published_at__gte=since)
    return articles


@router.get("/articles/{article_id}", response={200: ArticleOut, 404: Error})
def get_article(request, article_id: Id):
    article = public_articles().filter(pk=article_id).first()
    if article is None:
        return Status(404, {"detail": "no published article with this id"})
    return Status(200, article_record(article, request))


@router.get("/search", response=list[ArticleOut])
@paginate(ListedArticles, **NEWEST_FIRST)
def search(request, q: str = Query(..., min_length=2, max_length=200, description="Words to look for.")):
    """Published articles whose title or translated title/lead contains `q` (case-insensitive)."""
    match = Q(title__icontains=q) | Q(translations__title__icontains=q) | Q(translations__lead__icontains=q)
    ids = Article.objects.filter(match, status=ArticleStatus.PUBLISHED).values("pk")
    return public_articles().filter(pk__in=ids)


@router.get("/stories", response=list[StoryOut])
@paginate(CheckedCursorPagination, **NEWEST_FIRST)
def list_stories(request):
    """Stories with at least one published article, newest first."""
    return _public_stories()


@router.get("/stories/{story_id}", response={200: StoryOut, 404: Error})
def get_story(request, story_id: Id):
    story = _public_stories().filter(pk=story_id).first()
    if story is None:
        return Status(404, {"detail": "no story with published articles has this id"})
    return Status(200, story)


def _public_stories():
    published = Article.objects.filter(story=OuterRef("pk"), status=ArticleStatus.PUBLISHED)
    return Story.objects.filter(Exists(published))


@router.get("/sources", response=list[SourceOut])
@paginate(CheckedCursorPagination, ordering=("id",), page_size=50, max_page_size=200)
def list_sources(request):
    return Source.objects.all()


@router.post("/sources", response={201: SourceOut, 403: Error, 409: Error}, **TOKEN)
def add_source(request, payload: SourceIn):
    _require(request, "core.add_source")
    try:
        # The unique index decides: the name is cleaned on save (control characters out), so two names
        # that differ only there meet in it, as do two clients adding one source at once.
        with transaction.atomic():
            source = Source.objects.create(
                name=payload.name, feed_url=str(payload.feed_url), homepage=str(payload.homepage or ""),
                language=payload.language, licence_mode=payload.licence_mode,
                review_required=payload.review_required)
    except IntegrityError:
        return Status(409, {"detail": f"a source named {payload.name!r} exists"})
    content_changed()  # the outlet lists
    return Status(201, source)


@router.patch("/sources/{source_id}", response={200: SourceOut, 403: Error, 404: Error}, **TOKEN)
def change_source(request, source_id: Id, payload: SourcePatch):
    """Pause/resume a source, or change its licence mode or review policy."""
    _require(request, "core.change_source")
    source = get_object_or_404(Source, pk=source_id)
    changes = payload.dict(exclude_none=True)
    for name, value in changes.items():
        setattr(source, name, value)
    source.save(update_fields=list(changes) or None)
    content_changed(everywhere=True)  # its licence mode decides what each of its pages shows
    return Status(200, source)


@router.post("/articles/{article_id}/status", response={200: StatusOut, 403: Error, 404: Error, 409: Error},
             **TOKEN)
def change_article_status(request, article_id: Id, payload: StatusIn):
    """Publish (approve from review), reject, or withdraw an article; withdrawal is immediate everywhere."""
    _require(request, "core.change_article")
    article = get_object_or_404(Article, pk=article_id)
    article = set_status(article, payload.status)
    if article.status != payload.status:
        return Status(409, {"detail": f"an article that is {article.status} cannot become {payload.status}"})
    return Status(200, {"id": article.pk, "status": article.status})


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise HttpError(403, f"this token's user lacks the permission {permission}")
