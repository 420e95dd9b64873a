"""Home, article, original text, story and the fixed pages. Heavy work was done at ingest."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, F, Max, Q, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from vistka.core.licence import shown_text
from vistka.core.models import Article, ArticleStatus, Source, Story
from vistka.core.weburl import http_url
from vistka.site import seo
from vistka.site.caching import cached_page
from vistka.site.forms import CommentForm
from vistka.site.views.common import (
    article_cards,
    display_text,
    display_title,
    language_name,
    paginate,
    published_articles,
    with_translation,
)

TOP_STORIES = 5
TOP_STORY_CANDIDATES = 60
TOP_STORY_HORIZON = timedelta(hours=48)  # stories with a report this close to the newest one are ranked
ALSO_REPORTED = 20  # other reports of the story listed on an article page


@cached_page
def home(request: HttpRequest) -> HttpResponse:
    page = paginate(request, article_cards())
    top = top_stories() if page.number == 1 else []
    return render(request, "site/home.html", {"page": page, "top_stories": top})


def top_stories(limit: int = TOP_STORIES) -> list[dict]:
    """Stories covered by two or more reports, ranked by coverage decayed by age.

    Only stories with a report published within TOP_STORY_HORIZON of the newest report are counted:
    aggregating every story's articles took seconds at a million articles, and age divides an older
    story's score by over 100. The horizon ends at the newest report rather than now, so a site whose
    fetching paused (or a demo's dated sample) still shows its last top stories.
    """
    reports = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    newest = reports.exclude(published_at=None).order_by("-published_at").values_list("published_at", flat=True).first()
    if newest is None:
        return []
    now = timezone.now()
    recent = reports.filter(published_at__gte=min(newest, now) - TOP_STORY_HORIZON).values("story_id")
    # Counted from the articles' side: PostgreSQL then walks the recent reports' stories through the
    # story_id index; joined from the stories' side it chose to scan every story.
    candidates = (reports.filter(story_id__in=recent).values("story_id")
                  .annotate(reports=Count("pk"), outlets=Count("source_id", distinct=True), latest=Max("published_at"))
                  .filter(reports__gte=2).order_by("-latest")[:TOP_STORY_CANDIDATES])
    ranked = sorted(candidates, key=lambda row: _story_score(row, now), reverse=True)[:limit]
    ids = [row["story_id"] for row in ranked]
    stories, leads = Story.objects.in_bulk(ids), _lead_articles(ids)
    top = []
    for row in ranked:
        story = stories.get(row["story_id"])
        if story is not None:
            story.reports, story.outlets, story.latest = row["reports"], row["outlets"], row["latest"]
            lead = leads.get(story.pk)
            # The heading is the story's, as on the story page it links to; the lead report, when its
            # title says something else, is a line of its own linking to that report.
            top.append({"story": story, "lead": lead, "lead_title": display_title(lead) if lead else ""})
    return top


def _story_score(row: dict, now) -> float:
    # Gravity ranking (as on link aggregators): more outlets lift a story, age pulls it down.
    hours = max((now - row["latest"]).total_seconds() / 3600, 0)
    return (row["outlets"] * 2 + row["reports"]) / (hours + 2) ** 1.2


def _lead_articles(story_ids: list[int]) -> dict[int, Article]:
    """Each story's lead report (one with our image first, then the newest), in one query for all."""
    first = Window(RowNumber(), partition_by=F("story_id"), order_by=[F("image_file").desc(), F("published_at").desc()])
    leads = published_articles().filter(story_id__in=story_ids).annotate(place=first).filter(place=1)
    return {item.story_id: item for item in with_translation(list(leads))}


def article_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(published_articles(), pk=pk)
    return redirect(item.get_absolute_url(), permanent=True)


def can_preview(request: HttpRequest) -> bool:
    """Editors may open an article that is not public (held, in review, rejected…) on the site itself."""
    user = getattr(request, "user", None)
    return bool(user and user.is_active and user.is_staff and user.has_perm("core.view_article"))


def _article_or_preview(request: HttpRequest, pk: int) -> tuple[Article, bool]:
    """The published article; for an editor, also one that is not public (then `preview` is True)."""
    found = published_articles().filter(pk=pk).first()
    if found is not None:
        return found, False
    if can_preview(request):
        hidden = Article.objects.select_related("source", "story").filter(pk=pk).first()
        if hidden is not None:
            return hidden, True
    raise Http404("No such article")


@cached_page(article="pk")
def article(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    item, preview = _article_or_preview(request, pk)
    with_translation([item])
    if slug != item.display_slug:
        return redirect(item.get_absolute_url(), permanent=not preview)
    display = display_text(item)
    comments = list(item.comments.filter(approved=True))
    context = {
        "article": item,
        "display": display,
        "original_language_name": language_name(item.language),
        "read_also": _read_also_links(item),
        "also_reported": _also_reported(item),
        "more_from_outlet": _more_from_outlet(item),
        "related": _related_posts(item),
        "topics": list(item.topics.all()),
        "comments": comments,
        "comment_form": CommentForm(),
        "comments_moderated": settings.COMMENTS_MODERATED,
        "json_ld": seo.news_article_json_ld(request, item, display, len(comments)),
        "canonical_url": seo.canonical_url(request, item),
        "preview": preview,
        "preview_reasons": _readable_reasons(item) if preview and item.status == ArticleStatus.IN_REVIEW else [],
    }
    response = render(request, "site/article.html", context)
    return _not_stored(response) if preview else response


def _not_stored(response: HttpResponse) -> HttpResponse:
    """An editor's view of a page that is not public: never stored by the page cache (editors carry a
    session cookie), by the browser or by a proxy, nor indexed."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def original(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    item, preview = _article_or_preview(request, pk)
    with_translation([item])
    shown = shown_text(item, settings.EXCERPT_WORDS, original=True)
    # Shown only, never saved: the original text is cut to the licence like the translation is.
    item.lead, item.body_html = shown.lead, shown.body_html
    response = render(request, "site/original.html", {"article": item, "preview": preview,
                                                      "original_language_name": language_name(item.language)})
    return _not_stored(response) if preview else response


@cached_page
def story(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    group = get_object_or_404(Story, pk=pk)
    if slug != group.display_slug:
        return redirect(group.get_absolute_url(), permanent=True)
    page = paginate(request, article_cards().filter(story=group).order_by("published_at", "id"), 50)
    articles = list(page.object_list)
    outlets = sorted({item.source.name for item in articles})
    return render(request, "site/story.html", {"story": group, "page": page, "articles": articles,
                                               "outlets": outlets, "lead": _story_lead(articles),
                                               "days": _by_day(articles, page.start_index())})


def _readable_reasons(item: Article) -> list[str]:
    from vistka.desk.review_desk import readable_reasons

    return readable_reasons(item)


def _story_lead(articles: list[Article]) -> Article | None:
    """The first original report (copies of a press release are never the lead)."""
    return next((a for a in articles if a.duplicate_of_id is None), articles[0] if articles else None)


def _by_day(articles: list[Article], first_number: int = 1) -> list[dict]:
    """The timeline in days (of the site's time zone); each day's list goes on numbering from the last."""
    days: dict = {}
    for item in articles:
        days.setdefault(timezone.localtime(item.published_at).date() if item.published_at else None, []).append(item)
    timeline, number = [], first_number
    for day, items in days.items():
        timeline.append({"date": day, "items": items, "start": number})
        number += len(items)
    return timeline


@cached_page
def about(request: HttpRequest) -> HttpResponse:
    sources = Source.objects.filter(active=True).annotate(
        published=Count("articles", filter=Q(articles__status=ArticleStatus.PUBLISHED)))
    return render(request, "site/about.html", {"sources": sources})


@cached_page
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "site/privacy.html", {"analytics": bool(settings.ANALYTICS_SCRIPT)})


@cached_page
def cookies(request: HttpRequest) -> HttpResponse:
    return render(request, "site/cookies.html", {"analytics": bool(settings.ANALYTICS_SCRIPT)})


def _read_also_links(item: Article) -> list[dict]:
    """Each "Read also" link points to our copy when we have the target article, else the original.

    Links stored before the extractor kept only web links are checked again: a javascript: or data:
    link is never shown."""
    stored = [link for link in item.read_also if isinstance(link, dict) and http_url(link.get("url"))]
    urls = [link["url"] for link in stored]
    ours = {found.url: found for found in with_translation(list(published_articles().filter(url__in=urls)))}
    links = []
    for link in stored:
        target = ours.get(link["url"])
        if target is not None:
            title = target.translation.title if target.translation else target.title
            links.append({"url": target.get_absolute_url(), "title": title, "internal": True})
        else:
            links.append({"url": http_url(link["url"]), "title": link.get("title", ""), "internal": False})
    return links


def _also_reported(item: Article) -> list[Article]:
    """The story's first reports by other outlets (never the article's own); a big story's article
    pages stay small, its story page has them all."""
    if item.story_id is None:
        return []
    others = (published_articles().filter(story_id=item.story_id).exclude(pk=item.pk)
              .exclude(source_id=item.source_id).order_by("published_at", "id"))
    return with_translation(list(others[:ALSO_REPORTED]))


def _more_from_outlet(item: Article) -> list[Article]:
    """The outlet's own other reports of this story, shown as "More from <outlet>", not as coverage."""
    if item.story_id is None:
        return []
    others = (published_articles().filter(story_id=item.story_id, source_id=item.source_id).exclude(pk=item.pk)
              .order_by("published_at", "id"))
    return with_translation(list(others[:ALSO_REPORTED]))


def _related_posts(item: Article, limit: int = 6) -> list[Article]:
    """Precomputed at ingest (best score first); unpublished ones and any link without a score
    (filler stored by an older version) drop out."""
    ids = list(item.related_links.filter(score__gt=0).values_list("related_id", flat=True)[:limit])
    found = {other.pk: other for other in published_articles().filter(pk__in=ids)}
    return with_translation([found[pk] for pk in ids if pk in found])
