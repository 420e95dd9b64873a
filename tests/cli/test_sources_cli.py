"""`vistka sources ...`: discovery, OPML round trip, editions, pause/resume/remove, the health table."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.http_servers import LocalServer, reply
from vistka.cli import main
from vistka.core.models import Source

FEED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title>'
        b"<item><title>A</title><link>http://127.0.0.1/a</link></item></channel></rss>")
NEWS_SITEMAP = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>http://127.0.0.1/n1</loc>'
                b"<news:news><news:publication_date>2025-01-27T10:00:00+00:00</news:publication_date>"
                b"<news:title>Headline</news:title></news:news></url></urlset>")


def homepage(feed_link: str = "") -> bytes:
    link = f'<link rel="alternate" type="application/rss+xml" href="{feed_link}">' if feed_link else ""
    return f'<html lang="uk"><head><title>Outlet One</title>{link}</head><body>hi</body></html>'.encode()


ROUTES = {
    "/announced/": reply(200, homepage("/announced/news.rss"), {"Content-Type": "text/html"}),
    "/announced/news.rss": reply(200, FEED, {"Content-Type": "application/rss+xml"}),
    "/plain/": reply(200, homepage(), {"Content-Type": "text/html"}),
    "/feed.xml": reply(200, FEED, {"Content-Type": "application/rss+xml"}),
    "/robots.txt": reply(200, b"Sitemap: /news-sitemap.xml\n", {"Content-Type": "text/plain"}),
}


@pytest.fixture(scope="module")
def site():
    with LocalServer(ROUTES) as server:
        yield server


@pytest.fixture(scope="module")
def sitemap_only():
    with LocalServer({"/": reply(200, homepage(), {"Content-Type": "text/html"}),
                      "/news-sitemap.xml": reply(200, NEWS_SITEMAP, {"Content-Type": "application/xml"})}) as server:
        yield server


def vistka(*args: str, input: str | None = None):
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    return result


@pytest.mark.django_db
def test_add_homepage_finds_announced_feed(site):
    result = vistka("sources", "add", f"{site.base_url}/announced/")
    assert result.exit_code == 0, result.output
    source = Source.objects.get()
    assert source.feed_url == f"{site.base_url}/announced/news.rss"
    assert source.name == "Outlet One" and source.language == "uk"


@pytest.mark.django_db
def test_add_homepage_tries_common_paths(site):
    assert vistka("sources", "add", f"{site.base_url}/plain/", "--name", "Plain").exit_code == 0
    assert Source.objects.get(name="Plain").feed_url == f"{site.base_url}/feed.xml"


@pytest.mark.django_db
def test_add_site_without_feed_uses_its_news_sitemap(sitemap_only):
    result = vistka("sources", "add", sitemap_only.base_url + "/", "--name", "Sitemap outlet")
    assert "found a sitemap" in result.output, result.output
    source = Source.objects.get()
    assert source.feed_url == f"{sitemap_only.base_url}/news-sitemap.xml"


def test_sitemap_entries_are_read():
    from vistka.pipeline.sources.feedreader import read_feed

    entry = read_feed(NEWS_SITEMAP).entries[0]
    assert (entry.link, entry.title, entry.published.year) == ("http://127.0.0.1/n1", "Headline", 2025)


@pytest.mark.django_db
def test_add_name_and_feed_url_still_works():
    result = vistka("sources", "add", "Old style", "https://outlet.example/rss.xml", "--language", "en",
                    "--no-discover")
    assert result.exit_code == 0 and Source.objects.get().feed_url == "https://outlet.example/rss.xml"


@pytest.mark.django_db
def test_unreachable_or_featureless_site_gives_a_clear_error(site):
    result = CliRunner().invoke(main, ["sources", "add", "http://10.1.2.3/"])
    assert result.exit_code != 0 and "10.1.2.3, a private address" in result.output


@pytest.mark.django_db
def test_opml_round_trip(tmp_path):
    opml = tmp_path / "in.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
                    '<outline text="News"><outline type="rss" text="One" xmlUrl="https://one.example/rss" '
                    'htmlUrl="https://one.example/" language="uk"/>'
                    '<outline type="rss" text="Two" xmlUrl="https://two.example/feed"/></outline>'
                    '<outline type="rss" text="Bad" xmlUrl="not a url" language="en"/></body></opml>')
    result = vistka("sources", "import-opml", str(opml), "--language", "en")
    assert "2 sources added, 0 updated, 1 skipped" in result.output
    assert dict(Source.objects.values_list("name", "language")) == {"One": "uk", "Two": "en"}
    out = tmp_path / "out.opml"
    assert vistka("sources", "export-opml", str(out)).exit_code == 0
    Source.objects.all().delete()
    assert "2 sources added" in vistka("sources", "import-opml", str(out)).output
    assert Source.objects.get(name="One").homepage == "https://one.example/"


@pytest.mark.django_db
def test_bad_opml_is_refused(tmp_path):
    bad = tmp_path / "bad.opml"
    bad.write_text("<html><body>no</body></html>")
    result = CliRunner().invoke(main, ["sources", "import-opml", str(bad)])
    assert result.exit_code != 0 and "not an OPML file" in result.output


@pytest.mark.django_db
def test_load_edition_ukraine():
    result = vistka("sources", "load-edition", "ukraine")
    assert result.exit_code == 0, result.output
    names = set(Source.objects.values_list("name", flat=True))
    for outlet in ("Radio Svoboda", "Ukrainska Pravda", "Ukrinform", "Suspilne", "Interfax-Ukraine",
                   "Hromadske", "Kyiv Independent"):
        assert outlet in names
    assert vistka("sources", "load-edition", "ukraine").exit_code == 0  # loading twice updates, adds nothing
    assert Source.objects.count() == len(names)


@pytest.mark.django_db
def test_unknown_edition_names_the_available_ones():
    result = CliRunner().invoke(main, ["sources", "load-edition", "atlantis"])
    assert result.exit_code != 0 and "available: ukraine" in result.output


@pytest.mark.django_db
def test_pause_resume_remove_and_health_table():
    Source.objects.create(name="Outlet", feed_url="https://o.example/rss", language="uk",
                          consecutive_failures=3, last_error="https://o.example/rss answered HTTP 500")
    assert "paused" in vistka("sources", "pause", "Outlet").output
    assert not Source.objects.get().active
    table = vistka("sources").output
    assert "state" in table.splitlines()[0] and "paused" in table and "answered HTTP 500" in table
    vistka("sources", "resume", "Outlet")
    assert "failing (3x)" in vistka("sources", "list").output
    assert vistka("sources", "remove", "Outlet", "--yes").exit_code == 0
    assert not Source.objects.exists()
    assert CliRunner().invoke(main, ["sources", "pause", "Nobody"]).exit_code != 0


@pytest.mark.django_db
def test_fetch_one_source_now(sample_server):
    vistka("sources", "add", "Svoboda", f"{sample_server.base_url}/svoboda/rss.xml", "--language", "uk",
           "--no-discover")
    Source.objects.create(name="Other", feed_url="https://other.example/rss", language="en")
    result = vistka("fetch", "--source", "Svoboda")
    assert result.exit_code == 0 and "Svoboda:" in result.output and " new" in result.output, result.output
    assert Source.objects.get(name="Svoboda").last_success_at is not None
    assert Source.objects.get(name="Other").last_polled_at is None
    assert CliRunner().invoke(main, ["fetch", "--source", "Nobody"]).exit_code != 0


@pytest.mark.parametrize(("change", "message"), [
    ({"licence": "all"}, "licence must be one of"),
    ({"feed_url": "ftp://x.example/rss"}, "feed_url must be an https URL"),
    ({"language": "ukrainian"}, "two-letter code"),
    ({"checked": "maybe"}, "checked must be one of"),
    ({"extra": 1}, "needs exactly the fields"),
])
def test_edition_schema_is_enforced(change, message):
    from vistka.editions import EditionError, _source

    entry = {"name": "X", "homepage": "https://x.example/", "feed_url": "https://x.example/rss",
             "language": "uk", "licence": "excerpt", "checked": "public code", **change}
    with pytest.raises(EditionError, match=message):
        _source(entry, 0, "test.yaml")
