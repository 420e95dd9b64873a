from django.contrib.sitemaps.views import sitemap
from django.urls import path, re_path

from vistka.site import consent, feeds, sitemaps
from vistka.site.caching import cached_page
from vistka.site.views import comments, listings, pages, pictures, search

FEED = r"feed\.(?P<fmt>rss|atom|json)$"

urlpatterns = [
    path("", pages.home, name="home"),
    path("article/<int:pk>/comment/", comments.post_comment, name="post_comment"),
    path("article/<int:pk>/<slug:slug>/", pages.article, name="article"),
    path("article/<int:pk>/", pages.article_redirect, name="article_short"),
    path("article/<int:pk>/<slug:slug>/original/", pages.original, name="article_original"),
    path("story/<int:pk>/<slug:slug>/", pages.story, name="story"),
    path("story/<int:pk>/", pages.story, name="story_short"),
    path("source/<int:pk>/<slug:slug>/", listings.source, name="source"),
    path("source/<int:pk>/", listings.source, name="source_short"),
    path("topics/", listings.topics, name="topics"),
    path("topic/<str:slug>/", listings.topic, name="topic"),
    path("archive/<int:year>/", listings.archive, name="archive_year"),
    path("archive/<int:year>/<int:month>/", listings.archive, name="archive_month"),
    path("archive/<int:year>/<int:month>/<int:day>/", listings.archive, name="archive_day"),
    path("search/", search.search, name="search"),
    path("about/", pages.about, name="about"),
    path("privacy/", pages.privacy, name="privacy"),
    path("cookies/", pages.cookies, name="cookies"),
    path("consent/", consent.record_choice, name="consent"),
    re_path(r"^" + FEED, feeds.feed, {"kind": "site"}, name="feed"),
    re_path(r"^source/(?P<key>\d+)/(?P<slug>[-\w]+)/" + FEED, feeds.feed, {"kind": "source"}, name="source_feed"),
    re_path(r"^topic/(?P<key>[^/]+)/" + FEED, feeds.feed, {"kind": "topic"}, name="topic_feed"),
    path("sitemap.xml", cached_page(sitemap), {"sitemaps": sitemaps.SITEMAPS}, name="sitemap"),
    path("news-sitemap.xml", sitemaps.news_sitemap, name="news_sitemap"),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
    # Pictures are our own copies, resized on first request; readers never load them from the outlet.
    re_path(r"^media/(?P<path>images/[\w.-]+)$", pictures.picture, name="picture"),
]

