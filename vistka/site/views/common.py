"""Queries and helpers shared by the page views."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import get_language_info

from vistka.core.licence import shown_text
from vistka.core.models import Article, ArticleStatus, Translation

PAGE_SIZE = 20


def published_articles() -> QuerySet[Article]:
    site_translations = Translation.objects.filter(language=settings.SITE_LANGUAGE)
    return (
        Article.objects.filter(status=ArticleStatus.PUBLISHED)
        .select_related("source", "story")
        .prefetch_related(Prefetch("translations", queryset=site_translations, to_attr="site_translations"))
    )


def article_cards() -> QuerySet[Article]:
    """Published articles with what a card shows: translation, source and approved-comment count."""
    return published_articles().annotate(
        comment_count=Count("comments", filter=Q(comments__approved=True))
    ).order_by("-published_at", "-id")


def with_translation(articles):
    for item in articles:
        found = getattr(item, "site_translations", None)
        item._site_translation = (found[0] if found else False) if found is not None else None
    return articles


def paginate(request: HttpRequest, queryset, per_page: int = PAGE_SIZE) -> Page:
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    with_translation(page.object_list)
    return page


def display_text(item: Article) -> dict:
    """What the reader sees: the translation when there is one, else the original, cut to the licence."""
    shown = shown_text(item, settings.EXCERPT_WORDS)
    translation = item.translation
    return {"title": shown.title, "lead": shown.lead, "body_html": shown.body_html,
            "translated": shown.translated, "truncated": shown.truncated, "licence_mode": shown.mode,
            "engine": translation.engine if translation else "",
            "model_id": translation.model_id if translation else ""}


def display_title(item: Article) -> str:
    translation = item.translation
    return translation.title if translation else item.title


def language_name(code: str) -> str:
    try:
        return get_language_info(code)["name"]
    except KeyError:
        return code
