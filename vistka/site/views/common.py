"""Queries and helpers shared by the page views."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils.functional import cached_property
from django.utils.translation import get_language_info

from vistka.core.licence import shown_text
from vistka.core.models import Article, Comment

PAGE_SIZE = 20
MAX_PAGES = 100  # a listing counts (and pages) this far back; older reports: the date archive and search


def published_articles() -> QuerySet[Article]:
    """The model's published articles with their site translation, and their story (pages link it)."""
    return Article.objects.published_with_translation().select_related("story")


def article_cards() -> QuerySet[Article]:
    """Published articles with what a card shows: translation, source and approved-comment count."""
    # A correlated subquery, not a JOIN with GROUP BY: grouping made PostgreSQL aggregate every published
    # article before it could sort and take one page; a subquery runs only for the rows on the page.
    approved = (Comment.objects.filter(article=OuterRef("pk"), approved=True).order_by()
                .values("article").annotate(n=Count("pk")).values("n"))
    return published_articles().annotate(
        comment_count=Subquery(approved, output_field=IntegerField())
    ).order_by("-published_at", "-id")


def with_translation(articles):
    for item in articles:
        if not item.take_prefetched_translation():
            item._site_translation = None  # not loaded by published_articles(): look it up afresh
    return articles


class ListingPaginator(Paginator):
    """Django's Paginator, counting no more than MAX_PAGES pages of rows.

    An exact COUNT(*) of every published article is a scan per request (100-180 ms at 100,000
    articles, growing with the archive). Counting stops at the cap instead: `capped` says there are
    more rows than the pages offered (the pager shows "of 100+"), and no page lies past the last
    counted one (an OFFSET of a million rows would be a scan too).
    """

    @cached_property
    def _counted(self) -> int:
        return self.object_list.order_by().values("pk")[: self._limit + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self._limit)

    @property
    def capped(self) -> bool:
        return self._counted > self._limit

    @property
    def _limit(self) -> int:
        return self.per_page * MAX_PAGES


def paginate(request: HttpRequest, queryset, per_page: int = PAGE_SIZE) -> Page:
    page = ListingPaginator(queryset, per_page).get_page(request.GET.get("page"))
    with_translation(page.object_list)
    return page


def display_text(item: Article) -> dict:
    """What the reader sees: the translation when there is one, else the original, cut to the licence."""
    shown = shown_text(item, settings.EXCERPT_WORDS)
    translation = item.translation
    return {"title": shown.title, "lead": shown.lead, "body_html": shown.body_html,
            "translated": shown.translated, "truncated": shown.truncated, "licence_mode": shown.mode,
            "engine": translation.engine if translation else "",
            "model_id": translation.model_id if translation else "",
            "provenance": translation.provenance if translation and shown.translated else ""}


def display_title(item: Article) -> str:
    translation = item.translation
    return translation.title if translation else item.title


def language_name(code: str) -> str:
    try:
        return get_language_info(code)["name"]
    except KeyError:
        return code
