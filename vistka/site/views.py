"""Reader-facing pages. Everything heavy (translation, stories, related posts) was done at ingest."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language_info
from django.views.decorators.http import require_POST

from vistka.core.models import Article, ArticleStatus, Story, Translation
from vistka.site.consent import same_origin_required
from vistka.site.forms import CommentForm

COMMENTS_PER_IP_PER_HOUR = 5


def published_articles():
    site_translations = Translation.objects.filter(language=settings.SITE_LANGUAGE)
    return (
        Article.objects.filter(status=ArticleStatus.PUBLISHED)
        .select_related("source", "story")
        .prefetch_related(Prefetch("translations", queryset=site_translations, to_attr="site_translations"))
    )


def _with_translation(articles):
    for item in articles:
        found = getattr(item, "site_translations", None)
        item._site_translation = (found[0] if found else False) if found is not None else None
    return articles


def home(request: HttpRequest) -> HttpResponse:
    page = Paginator(published_articles().order_by("-published_at", "-id"), 20).get_page(request.GET.get("page"))
    _with_translation(page.object_list)
    return render(request, "site/home.html", {"page": page})


def article_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(published_articles(), pk=pk)
    return redirect(item.get_absolute_url(), permanent=True)


def article(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    item = get_object_or_404(published_articles(), pk=pk)
    _with_translation([item])
    if slug != item.display_slug:
        return redirect(item.get_absolute_url(), permanent=True)
    context = {
        "article": item,
        "display": _display_text(item),
        "original_language_name": _language_name(item.language),
        "read_also": _read_also_links(item),
        "also_reported": _also_reported(item),
        "related": _related_posts(item),
        "comments": item.comments.filter(approved=True),
        "comment_form": CommentForm(),
        "comment_pending": request.GET.get("comment") == "pending",
    }
    return render(request, "site/article.html", context)


def original(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    item = get_object_or_404(published_articles(), pk=pk)
    _with_translation([item])
    return render(request, "site/original.html",
                  {"article": item, "original_language_name": _language_name(item.language)})


def story(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(Story, pk=pk)
    articles = _with_translation(list(published_articles().filter(story=group).order_by("published_at", "pk")))
    return render(request, "site/story.html", {"story": group, "articles": articles,
                                               "lead": _story_lead(articles), "days": _by_day(articles)})


def _story_lead(articles: list[Article]) -> Article | None:
    """The first original report (copies of a press release are never the lead)."""
    return next((a for a in articles if a.duplicate_of_id is None), articles[0] if articles else None)


def _by_day(articles: list[Article]) -> list[tuple]:
    days: dict = {}
    for item in articles:
        days.setdefault(timezone.localtime(item.published_at).date() if item.published_at else None, []).append(item)
    return list(days.items())


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "site/privacy.html")


@require_POST
@same_origin_required
def post_comment(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(published_articles(), pk=pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        _with_translation([item])
        return render(request, "site/comment_error.html", {"article": item, "comment_form": form}, status=400)
    if not form.is_spam() and _within_rate_limit(request):
        comment = form.save(commit=False)
        comment.article = item
        comment.save()
    return HttpResponseRedirect(f"{item.get_absolute_url()}?comment=pending#comments")


def _within_rate_limit(request: HttpRequest) -> bool:
    key = f"comments-from:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, timeout=3600)
    return cache.incr(key) <= COMMENTS_PER_IP_PER_HOUR


def _display_text(item: Article) -> dict:
    """What the reader sees: the translation when there is one, else the original."""
    translation = item.translation
    if translation:
        return {"title": translation.title, "lead": translation.lead, "body_html": translation.body_html,
                "translated": True, "engine": translation.engine, "model_id": translation.model_id}
    return {"title": item.title, "lead": item.lead, "body_html": item.body_html, "translated": False}


def _language_name(code: str) -> str:
    try:
        return get_language_info(code)["name"]
    except KeyError:
        return code


def _read_also_links(item: Article) -> list[dict]:
    """Each "Read also" link points to our copy when we have the target article, else the original."""
    urls = [link["url"] for link in item.read_also]
    ours = {found.url: found for found in _with_translation(list(published_articles().filter(url__in=urls)))}
    links = []
    for link in item.read_also:
        target = ours.get(link["url"])
        if target is not None:
            title = target.translation.title if target.translation else target.title
            links.append({"url": target.get_absolute_url(), "title": title, "internal": True})
        else:
            links.append({"url": link["url"], "title": link["title"], "internal": False})
    return links


def _also_reported(item: Article) -> list[Article]:
    if item.story_id is None:
        return []
    others = published_articles().filter(story_id=item.story_id).exclude(pk=item.pk).order_by("published_at")
    return _with_translation(list(others))


def _related_posts(item: Article, limit: int = 6) -> list[Article]:
    """Precomputed at ingest (best score first); unpublished ones drop out."""
    ids = list(item.related_links.values_list("related_id", flat=True)[:limit])
    found = {other.pk: other for other in published_articles().filter(pk__in=ids)}
    return _with_translation([found[pk] for pk in ids if pk in found])
