"""sitemap.xml (every page worth indexing), the Google News sitemap and robots.txt."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from vistka.core.models import ArticleStatus, Source, Story, Topic
from vistka.site.caching import cached_page
from vistka.site.views.common import display_title, published_articles, with_translation
from vistka.site.views.listings import source_slug

NEWS_WINDOW = timedelta(days=2)  # Google News sitemaps list only the last two days' articles
NEWS_LIMIT = 1000


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return published_articles().order_by("-id")

    def location(self, item):
        with_translation([item])  # the prefetched translation gives the slug without a query per item
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at or item.published_at


class StorySitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        return Story.objects.filter(articles__status=ArticleStatus.PUBLISHED).distinct().order_by("-id")

    def lastmod(self, item):
        return item.updated_at


class SourceSitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        return Source.objects.filter(active=True)

    def location(self, item):
        return reverse("source", kwargs={"pk": item.pk, "slug": source_slug(item)})


class TopicSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return Topic.objects.filter(articles__status=ArticleStatus.PUBLISHED).distinct()


class PageSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return ["home", "about", "privacy", "cookies", "topics"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {"pages": PageSitemap, "articles": ArticleSitemap, "stories": StorySitemap,
            "sources": SourceSitemap, "topics": TopicSitemap}


@cached_page
def news_sitemap(request: HttpRequest) -> HttpResponse:
    since = timezone.now() - NEWS_WINDOW
    recent = with_translation(list(published_articles().filter(published_at__gte=since)
                                   .order_by("-published_at")[:NEWS_LIMIT]))
    entries = [{"url": request.build_absolute_uri(item.get_absolute_url()), "title": display_title(item),
                "published": item.published_at} for item in recent]
    return render(request, "site/news_sitemap.xml", {"entries": entries, "site_name": settings.SITE_NAME},
                  content_type="application/xml; charset=utf-8")


def robots_txt(request: HttpRequest) -> HttpResponse:
    absolute = request.build_absolute_uri
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /search/", "Allow: /", "",
             f"Sitemap: {absolute(reverse('sitemap'))}", f"Sitemap: {absolute(reverse('news_sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
