"""Every page type of the reader's site, rendered in process."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.factories import make_article, make_source
from tests.services import fresh_postgres_database
from vistka.core.events import content_changed
from vistka.core.models import Comment, Story, Topic
from vistka.pipeline.publish.tagging import attach_topics

pytestmark = pytest.mark.django_db
ORIGIN = {"HTTP_ORIGIN": "http://testserver"}


@pytest.fixture
def newsroom():
    radio = make_source()
    ledger = make_source("Kyiv Test Ledger", "en", "https://ledger.test/")
    story = Story.objects.create(title="Refinery strike")
    first = make_article(radio, 1, story=story)
    second = make_article(ledger, 2, story=story, title="Ledger on the refinery")
    lone = make_article(ledger, 3, title="A lone report")
    attach_topics(first, ["Oil refineries", "Russia"])
    attach_topics(second, ["oil  refineries"])
    return {"radio": radio, "ledger": ledger, "story": story, "first": first, "second": second, "lone": lone}


def test_home_shows_top_stories_then_latest(client, newsroom):
    page = client.get("/").content.decode()
    top = page[page.index("Top stories"):page.index('id="latest-heading"')]
    assert newsroom["story"].get_absolute_url() in top and "2 reports from 2 outlets" in top
    assert "A lone report" not in top and "A lone report" in page[page.index('id="latest-heading"'):]


def test_top_stories_are_ranked_within_two_days_of_the_newest_report(client, newsroom):
    from vistka.core.models import Article

    old = Story.objects.create(title="Last week's flood")
    reports = [make_article(source, n, story=old, title=f"Flood report {n}")
               for n, source in ((4, newsroom["radio"]), (5, newsroom["ledger"]))]
    Article.objects.filter(pk__in=[report.pk for report in reports]).update(
        published_at=newsroom["first"].published_at - timedelta(days=3))
    content_changed([report.pk for report in reports])
    page = client.get("/").content.decode()
    top = page[page.index("Top stories"):page.index('id="latest-heading"')]
    assert newsroom["story"].get_absolute_url() in top and old.get_absolute_url() not in top
    assert "Ledger on the refinery" in top  # the lead: the newest report...
    first = newsroom["first"]
    first.image_file, first.image_width, first.image_height = "a/1.jpg", 8, 6
    first.save()
    content_changed([first.pk])
    page = client.get("/").content.decode()
    assert "Headline 1" in page[page.index("Top stories"):page.index('id="latest-heading"')]  # ...one with an image first


def test_article_page_lists_the_first_other_reports(client, newsroom, monkeypatch):
    from vistka.site.views import pages

    make_article(newsroom["ledger"], 4, story=newsroom["story"], title="Ledger follow-up")
    monkeypatch.setattr(pages, "ALSO_REPORTED", 1)
    page = client.get(newsroom["first"].get_absolute_url()).content.decode()
    reported = page[page.index("Also reported by"):]
    assert "Ledger on the refinery" in reported and "Ledger follow-up" not in reported
    assert newsroom["story"].get_absolute_url() in reported  # full coverage: the story page


def test_source_page_lists_its_articles_with_description_and_link(client, newsroom):
    response = client.get(f"/source/{newsroom['ledger'].pk}/", follow=True)
    page = response.content.decode()
    assert response.redirect_chain[0][0] == f"/source/{newsroom['ledger'].pk}/kyiv-test-ledger/"
    assert "Ledger on the refinery" in page and "A lone report" in page and "Headline 1" not in page
    assert 'href="https://ledger.test/"' in page and 'href="feed.rss"' in page


def test_topics_merge_by_slug_and_list_their_articles(client, newsroom):
    assert Topic.objects.get(slug="oil-refineries").articles.count() == 2
    page = client.get("/topic/oil-refineries/").content.decode()
    assert "Headline 1" in page and "Ledger on the refinery" in page and "A lone report" not in page
    article_page = client.get(newsroom["first"].get_absolute_url()).content.decode()
    assert 'href="/topic/oil-refineries/" rel="tag">Oil refineries</a>' in article_page
    assert "Oil refineries" in client.get("/topics/").content.decode()


def test_date_archive_uses_the_site_time_zone(client, newsroom):
    day = client.get("/archive/2025/1/27/").content.decode()
    assert "Headline 1" in day and "Previous day" in day
    assert "Headline 1" not in client.get("/archive/2025/1/28/").content.decode()
    assert "Headline 1" in client.get("/archive/2025/1/").content.decode()
    assert client.get("/archive/2025/2/30/").status_code == 404


def test_pagination_everywhere(client):
    source = make_source()
    for n in range(1, 26):
        make_article(source, n)
    first, second = client.get("/").content.decode(), client.get("/?page=2").content.decode()
    assert "Page 1 of 2" in first and 'rel="next" href="?page=2"' in first
    assert "Headline 1<" in second and "Headline 25<" not in second
    assert "Page 2 of 2" in client.get(f"/source/{source.pk}/radio-test/?page=2").content.decode()


def test_listings_count_no_further_than_max_pages(client, monkeypatch):
    from vistka.site.views import common

    source = make_source()
    for n in range(1, 46):
        make_article(source, n)
    monkeypatch.setattr(common, "MAX_PAGES", 2)  # 45 articles, 20 a page: more than two pages' worth
    first, last = client.get("/").content.decode(), client.get("/?page=9").content.decode()
    assert "Page 1 of 2+" in first and 'rel="next" href="?page=2"' in first
    assert "Page 2 of 2+" in last and 'rel="next"' not in last and "Headline 6<" in last and "Headline 5<" not in last
    assert "Page 1 of 2+" in client.get(f"/source/{source.pk}/radio-test/").content.decode()


@pytest.mark.parametrize(("url", "text"), [("/about/", "Kyiv Test Ledger"), ("/privacy/", "never shown"),
                                          ("/cookies/", "vistka_consent")])
def test_fixed_pages(client, newsroom, url, text):
    assert text in client.get(url).content.decode()


def test_missing_pages_get_the_site_404(client, newsroom):
    response = client.get("/no/such/page/")
    assert response.status_code == 404 and "Page not found" in response.content.decode()
    assert client.get("/topic/no-such-topic/").status_code == 404


def test_article_metadata_for_sharing_and_search_engines(client, newsroom):
    import re

    article = newsroom["first"]
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">' in page
    assert '<meta property="og:title" content="Headline 1">' in page and 'name="twitter:card"' in page
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["@type"] == "NewsArticle" and data["isBasedOn"] == article.url
    assert data["headline"] == "Headline 1" and data["datePublished"].startswith("2025-01-27")


def test_json_ld_cannot_close_its_script_element(client):
    article = make_article(make_source(language="en"), 1, title="</script><script>window.pwned=1</script>")
    page = client.get(article.get_absolute_url()).content.decode()
    json_ld = page[page.index('application/ld+json">'):]
    assert "<script>window.pwned" not in json_ld.split("</script>", 1)[0]


def test_comments_show_at_once_when_moderation_is_off(client, newsroom, settings):
    settings.COMMENTS_MODERATED = False
    article = newsroom["first"]
    response = client.post(f"/article/{article.pk}/comment/", {"name": "Ivan", "text": "Thanks"}, **ORIGIN)
    assert "comment=posted" in response["Location"] and Comment.objects.get().approved
    assert "Comments (1)" in client.get(article.get_absolute_url()).content.decode()
    assert "1 comment" in client.get("/").content.decode()  # the count on the card


def test_comments_are_rate_limited_per_address(client, newsroom):
    from django.core.cache import cache

    cache.clear()
    url = f"/article/{newsroom['first'].pk}/comment/"
    codes = [client.post(url, {"name": "N", "text": f"t{n}"}, REMOTE_ADDR="10.9.9.9", **ORIGIN).status_code
             for n in range(7)]
    assert codes[:5] == [302] * 5 and codes[5:] == [429, 429] and Comment.objects.count() == 5


def test_recent_articles_reach_the_news_sitemap(client, newsroom):
    fresh = make_article(newsroom["ledger"], 9, title="Fresh report")
    fresh.published_at = timezone.now() - timedelta(hours=3)
    fresh.save()
    news = client.get("/news-sitemap.xml").content.decode()
    assert "Fresh report" in news and "Headline 1" not in news  # older than two days
    sitemap = client.get("/sitemap.xml").content.decode()
    assert newsroom["first"].get_absolute_url() in sitemap and "/topic/oil-refineries/" in sitemap
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in robots and "Disallow: /admin/" in robots


def test_editors_manage_topics_in_the_admin(admin_client, newsroom):
    assert "Oil refineries" in admin_client.get("/admin/core/topic/").content.decode()
    page = admin_client.get(f"/admin/core/article/{newsroom['first'].pk}/change/").content.decode()
    assert 'name="topics"' in page
    assert admin_client.get("/").status_code == 200


POSTGRES_PAGES = r"""
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from tests.factories import make_article, make_source
from vistka.core.models import Comment, Story
radio, ledger = make_source(), make_source("Kyiv Test Ledger", "en", "https://ledger.test/")
story = Story.objects.create(title="Refinery strike")
first = make_article(radio, 1, story=story)
make_article(ledger, 2, story=story, title="Ledger on the refinery")
for n in range(3, 30):
    make_article(ledger, n, title=f"Ledger report {n}")
Comment.objects.create(article=first, name="Ivan", text="Thanks", approved=True)
client = Client()
pages = {path: client.get(path).content.decode() for path in
         ("/", "/?page=2", first.get_absolute_url(), "/feed.rss", f"/source/{ledger.pk}/kyiv-test-ledger/",
          "/search/?q=ledger")}
print(json.dumps(pages))
"""


def test_pages_on_postgres():
    """The listing, top-stories and search queries on PostgreSQL (the other tests run on SQLite)."""
    pytest.importorskip("psycopg")
    with fresh_postgres_database() as database_url:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vistka.config.settings", "VISTKA_PAGE_CACHE_SECONDS": "0",
               "VISTKA_DATABASE_URL": database_url}
        done = subprocess.run([sys.executable, "-c", POSTGRES_PAGES], env=env, cwd=Path(__file__).resolve().parents[2],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    pages = json.loads(done.stdout.strip().splitlines()[-1])
    home = pages["/"]
    top = home[home.index("Top stories"):home.index('id="latest-heading"')]
    assert "2 reports from 2 outlets" in top and "Ledger on the refinery" in top
    assert "Page 1 of 2" in home and "1 comment" in pages["/?page=2"]  # Headline 1 is the oldest
    assert "Also reported by" in next(page for path, page in pages.items() if path.startswith("/article/"))
    assert pages["/feed.rss"].count("<item>") == 29 and "Page 1 of 2" in pages["/source/2/kyiv-test-ledger/"]
    assert "28 results" in pages["/search/?q=ledger"]
