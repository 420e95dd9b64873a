"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 for the whole site, each outlet and each topic.

All three formats are built from one `FeedSpec`, and every item carries the text that
`item_description` returns — the single place that decides how much of an article a feed republishes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from vistka.core.models import Article, Source, Topic
from vistka.core.weburl import http_url
from vistka.site.caching import cached_page
from vistka.site.views.common import display_text, published_articles, with_translation
from vistka.site.views.listings import source_slug

FEED_SIZE = 50
FORMATS = ("rss", "atom", "json")


@dataclass
class FeedSpec:
    title: str
    description: str
    page_url: str  # the HTML page this feed mirrors
    feed_path: str  # this feed's own path, without the format suffix
    articles: list[Article]


def _shown(article: Article) -> dict:
    # Title and description both need it; for an excerpt-licensed outlet it parses the body, so once.
    if not hasattr(article, "_feed_display"):
        article._feed_display = display_text(article)
    return article._feed_display


def item_description(article: Article, site: str = "") -> str:
    """The HTML a feed item carries: the lead, the body and a link to the original report.
    `site` (scheme://host) makes our pictures' addresses absolute: a feed reader is elsewhere."""
    shown = _shown(article)
    parts = [f"<p><strong>{escape(shown['lead'])}</strong></p>"] if shown["lead"] else []
    parts.append(absolute_media(shown["body_html"], site))
    parts.append(f'<p>Originally published by <a href="{escape(http_url(article.url))}">{escape(article.source.name)}</a>'
                 f"{_translated_note(shown)}.</p>")
    return "\n".join(parts)


def _translated_note(shown: dict) -> str:
    if not shown["translated"]:
        return ""
    return " (translated by the editors)" if shown["provenance"] == "editors" else " (machine-translated)"


def absolute_media(html: str, site: str) -> str:
    """Our pictures' /media/ addresses (src and srcset candidates, as figures.py writes them) on `site`."""
    return re.sub(r'(src="|srcset="|, )/media/', lambda match: f"{match.group(1)}{site}/media/", html) if site else html


def item_title(article: Article) -> str:
    return _shown(article)["title"]


def feed_spec(kind: str, key: str = "") -> FeedSpec:
    articles = published_articles().prefetch_related("topics").order_by("-published_at", "-id")
    if kind == "site":
        return FeedSpec(settings.SITE_NAME, f"Latest reports on {settings.SITE_NAME}", reverse("home"),
                        "/feed", _latest(articles))
    if kind == "source":
        outlet = get_object_or_404(Source, pk=int(key))
        page = reverse("source", kwargs={"pk": outlet.pk, "slug": source_slug(outlet)})
        return FeedSpec(f"{outlet.name} — {settings.SITE_NAME}", f"Reports from {outlet.name}", page,
                        page + "feed", _latest(articles.filter(source=outlet)))
    if kind == "topic":
        topic = get_object_or_404(Topic, slug=key)
        page = topic.get_absolute_url()
        return FeedSpec(f"{topic.name} — {settings.SITE_NAME}", f"Reports tagged {topic.name}", page,
                        page + "feed", _latest(articles.filter(topics=topic)))
    raise Http404("No such feed")


def entry_id(request: HttpRequest, article: Article) -> str:
    """A feed entry's id: the article's short permalink (https://site/article/12/), which stays the same
    when its title, slug or translation changes, and is a URI as Atom requires (a bare number is not)."""
    return request.build_absolute_uri(reverse("article_short", kwargs={"pk": article.pk}))


def _latest(queryset) -> list[Article]:
    return with_translation(list(queryset[:FEED_SIZE]))


class ArticleFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request, kind, key=""):
        spec = feed_spec(kind, key)
        for article in spec.articles:
            article._entry_id = entry_id(request, article)
            article._feed_site = request.build_absolute_uri("/").rstrip("/")  # item_description gets the item alone
        return spec

    def title(self, spec):
        return spec.title

    def description(self, spec):
        # RSS readers show a channel's description as HTML: an outlet or topic named "<b>" must stay text.
        return escape(spec.description)

    def subtitle(self, spec):
        return spec.description

    def link(self, spec):
        return spec.page_url

    def feed_url(self, spec):
        return spec.feed_path + (".atom" if self.feed_type is Atom1Feed else ".rss")

    def items(self, spec):
        return spec.articles

    def item_title(self, item):
        return item_title(item)

    def item_description(self, item):
        return item_description(item, getattr(item, "_feed_site", ""))

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return item._entry_id

    def item_guid_is_permalink(self, item):
        return True  # it opens the article (redirecting to its current address)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at or item.published_at

    def item_author_name(self, item):
        return ", ".join(item.authors) or item.source.name

    def item_categories(self, item):
        return [topic.name for topic in item.topics.all()]


class AtomArticleFeed(ArticleFeed):
    feed_type = Atom1Feed


def json_feed(request: HttpRequest, spec: FeedSpec) -> HttpResponse:
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)."""
    absolute = request.build_absolute_uri
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": spec.title,
        "description": spec.description,
        "home_page_url": absolute(spec.page_url),
        "feed_url": absolute(spec.feed_path + ".json"),
        "language": settings.SITE_LANGUAGE,
        "items": [_json_item(request, item) for item in spec.articles],
    }
    return HttpResponse(json.dumps(document, ensure_ascii=False), content_type="application/feed+json; charset=utf-8")


def _json_item(request: HttpRequest, item: Article) -> dict:
    absolute = request.build_absolute_uri
    entry = {
        "id": entry_id(request, item),
        "url": absolute(item.get_absolute_url()),
        "external_url": http_url(item.url),
        "title": item_title(item),
        "content_html": item_description(item, absolute("/").rstrip("/")),
        "authors": [{"name": name} for name in item.authors] or [{"name": item.source.name}],
        "tags": [topic.name for topic in item.topics.all()],
    }
    if item.published_at:
        entry["date_published"] = item.published_at.isoformat()
        entry["date_modified"] = (item.updated_at or item.published_at).isoformat()
    if item.image_file:
        entry["image"] = absolute(f"/media/{item.image_file}")
    return entry


_RSS, _ATOM = ArticleFeed(), AtomArticleFeed()


@cached_page
def feed(request: HttpRequest, fmt: str, kind: str, key: str = "", **ignored) -> HttpResponse:
    if fmt == "json":
        return json_feed(request, feed_spec(kind, str(key)))
    if fmt in ("rss", "atom"):
        return (_RSS if fmt == "rss" else _ATOM)(request, kind=kind, key=str(key))
    raise Http404("No such feed format")
