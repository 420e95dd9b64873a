"""Regression tests for the security findings of the hostile-input run (issue 14, item 4)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import lxml.html
import pytest

from tests.factories import make_article, make_source
from vistka.core.models import Topic
from vistka.core.weburl import http_url
from vistka.pipeline.extract.readalso import pop_read_also_blocks
from vistka.pipeline.extract.sanitize import sanitize_html

# Every spelling a browser still runs as script or inline data.
HOSTILE_URLS = [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "\x01javascript:alert(1)",
    "java\tscript:alert(1)", "java\nscript:alert(1)", "javascript\r:alert(1)", "\x00javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "DATA:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)", " VBScript:msgbox(1)", "mailto:someone@example.org", "file:///etc/passwd",
    "//evil.example/x", "/relative/path", "http:no-host", "", "   ",
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_http_url_refuses_everything_but_web_addresses(url):
    assert http_url(url) == ""


@pytest.mark.parametrize(("url", "kept"), [
    ("https://example.org/a?b=1#c", "https://example.org/a?b=1#c"),
    ("HTTP://Example.org/", "HTTP://Example.org/"),
    ("  https://example.org/x\n", "https://example.org/x"),
    ("ht\ttps://example.org/y", "https://example.org/y"),
])
def test_http_url_keeps_web_addresses_as_a_browser_reads_them(url, kept):
    assert http_url(url) == kept


def test_read_also_keeps_only_web_links():
    anchors = "".join(f'<li><a href="{url}">bad {n}</a></li>'
                      for n, url in enumerate(["JaVaScRiPt:alert(1)", " javascript:alert(1)", "java&#9;script:alert(1)",
                                               "data:text/html,x", "vbscript:x", "mailto:a@b.org"]))
    page = lxml.html.document_fromstring(
        f"<html><body><p>Story text.</p><h3>Read also</h3><ul>{anchors}"
        '<li><a href="/news/other.html">Good relative</a></li>'
        '<li><a href="HTTPS://other.example/x.html">Good absolute</a></li></ul></body></html>')
    links = pop_read_also_blocks(page, "https://outlet.example/news/story.html")
    assert [link["url"] for link in links] == ["https://outlet.example/news/other.html",
                                               "https://other.example/x.html"]


@pytest.mark.parametrize("url", ["JaVaScRiPt:alert(1)", " javascript:alert(1)", "java&#9;script:alert(1)",
                                 "&#1;javascript:alert(1)", "vbscript:x", "data:text/html,x"])
def test_sanitiser_drops_script_links_and_images(url):
    cleaned = sanitize_html(f'<p><a href="{url}">link</a><img src="{url}"></p>')
    assert "href" not in cleaned and "src" not in cleaned
    assert 'src="https://img.example/a.jpg"' in sanitize_html('<img src="https://img.example/a.jpg">')
    assert "src" not in sanitize_html('<img src="data:image/png;base64,iVBORw0KGgo=">')


def _hrefs(page: str) -> list[str]:
    return [lxml.html.fromstring(f"<a href={quoted}></a>").get("href")
            for quoted in re.findall(r'href=("[^"]*"|\'[^\']*\')', page)]


def _no_script_links(page: str) -> None:
    for href in _hrefs(page):
        assert href == "" or href.startswith(("/", "#", "?", "feed.")) or http_url(href), href


@pytest.mark.django_db
def test_pages_never_link_to_script_urls(client):
    source = make_source("Hostile Outlet", "en", "https://hostile.example/")
    source.homepage = " JavaScript:alert(document.cookie)"  # as an import or the API could store it
    source.save()
    article = make_article(source, 1, title="Hostile links",
                           read_also=[{"url": "JaVaScRiPt:alert(1)", "title": "Script"},
                                      {"url": "data:text/html,<script>alert(1)</script>", "title": "Data"},
                                      {"url": " vbscript:msgbox(1)", "title": "VB"},
                                      {"url": "https://fine.example/a.html", "title": "Fine"}])
    article.url = "java\tscript:alert(1)"
    article.save()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "https://fine.example/a.html" in page and "Script</a>" not in page and "Data</a>" not in page
    for path in (article.get_absolute_url(), "/about/", f"/source/{source.pk}/", f"/article/{article.pk}/{article.display_slug}/original/"):
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        _no_script_links(response.content.decode())
    api = client.get(f"/api/articles/{article.pk}").json()
    assert api["original_url"] == "" and api["source"]["homepage"] == ""
    listed = client.get("/api/sources").json()["results"]
    assert [item["homepage"] for item in listed if item["name"] == "Hostile Outlet"] == [""]


@pytest.mark.django_db
def test_rss_channel_description_escapes_topic_and_source_names(client):
    name = '<img src=x onerror=alert(1)> & "Co"'
    source = make_source(name, "en", "https://co.example/")
    article = make_article(source, 1, title="Tagged")
    topic = Topic.objects.create(name=name, slug="hostile-topic")
    article.topics.add(topic)
    for path, prefix in ((f"/topic/{topic.slug}/feed.rss", "Reports tagged "),
                         (f"/source/{source.pk}/x/feed.rss", "Reports from ")):
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        description = ET.fromstring(response.content).find("channel/description").text
        # The text of <description> is HTML for RSS readers: the name must arrive HTML-escaped.
        assert description == prefix + '&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Co&quot;'


@pytest.mark.django_db
@pytest.mark.parametrize("path", [
    "/archive/99999999999999999999/", "/archive/99999999999999999999/1/", "/archive/2025/99999999999999999999/",
    "/archive/2025/1/99999999999999999999/", "/archive/9999/12/31/", "/archive/9999/", "/archive/1/1/1/",
    "/archive/0/", "/archive/2025/13/", "/archive/2025/2/30/", "/archive/2025/0/1/",
])
def test_archive_with_impossible_dates_is_not_found(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_archive_of_a_real_day_still_works(client):
    make_article(make_source(), 1)
    response = client.get("/archive/2025/1/27/")
    assert response.status_code == 200 and "Headline 1" in response.content.decode()


@pytest.mark.parametrize(("address", "kind"), [
    ("2002:7f00:1::", "loopback"), ("2002:a9fe:a9fe::1", "link-local"), ("2002:0a00:0001::5", "private"),
    ("64:ff9b::7f00:1", "loopback"), ("64:ff9b::a9fe:a9fe", "link-local"), ("64:ff9b::c0a8:101", "private"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:169.254.169.254", "link-local"), ("::127.0.0.1", "loopback"),
    ("::10.0.0.1", "private"),
    ("2002:5db8:d822::1", ""), ("64:ff9b::5db8:d822", ""), ("::ffff:93.184.216.34", ""),  # public IPv4 inside
])
def test_ipv6_addresses_are_judged_by_the_ipv4_address_they_carry(address, kind):
    import ipaddress

    from vistka.pipeline.fetch.guard import address_kind

    found = address_kind(ipaddress.ip_address(address))
    assert found.startswith(kind) and bool(found) == bool(kind), found


def test_a_6to4_address_of_the_metadata_service_is_refused_even_when_it_resolves():
    import ipaddress

    from vistka.pipeline.fetch.errors import AddressRefused
    from vistka.pipeline.fetch.guard import AddressGuard

    with pytest.raises(AddressRefused, match=r"a link-local .*address \(IPv4 169\.254\.169\.254 via 6to4\)"):
        AddressGuard([]).check("metadata.evil.example", ipaddress.ip_address("2002:a9fe:a9fe::"))
    # The allow-list is matched literally: allowing 127.0.0.1 does not open its IPv6 disguises.
    AddressGuard(["127.0.0.1"]).check("x", ipaddress.ip_address("127.0.0.1"))
    with pytest.raises(AddressRefused, match=r"\(IPv4 127\.0\.0\.1 via 6to4\)"):
        AddressGuard(["127.0.0.1"]).check("x", ipaddress.ip_address("2002:7f00:1::"))


def test_allow_list_takes_host_port_entries():
    import ipaddress

    from vistka.pipeline.fetch.errors import AddressRefused
    from vistka.pipeline.fetch.guard import AddressGuard

    loopback, v6 = ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")
    guard = AddressGuard(["127.0.0.1:8001", "[::1]:8080", "feeds.lan:8443", "10.0.0.0/8", "новини.укр"])
    guard.check("xn--b1amarcd.xn--j1amh", ipaddress.ip_address("192.168.7.7"))  # the IDN's ASCII form
    guard.check("127.0.0.1", loopback, port=8001)
    guard.check("localhost", v6, port=8080)
    guard.check("feeds.lan", ipaddress.ip_address("192.168.1.5"), port=8443)
    guard.check("x", ipaddress.ip_address("10.1.2.3"), port=22)
    for host, address, port in [("127.0.0.1", loopback, 8002), ("localhost", v6, 22),
                                ("feeds.lan", ipaddress.ip_address("192.168.1.5"), 443)]:
        with pytest.raises(AddressRefused):
            guard.check(host, address, port=port)


def test_host_port_entry_lets_a_real_fetch_through_and_only_on_that_port():
    from tests.http_servers import LocalServer, reply
    from vistka.pipeline.fetch import FetchPolicy, fetch
    from vistka.pipeline.fetch.errors import AddressRefused

    with LocalServer({"/ok": reply(200, b"fine", {"Content-Type": "text/plain"})}) as server:
        port = int(server.base_url.rsplit(":", 1)[1])
        allowed = FetchPolicy(timeout=2, allow_hosts=[f"127.0.0.1:{port}"])
        assert fetch(f"{server.base_url}/ok", allowed).content == b"fine"
        with pytest.raises(AddressRefused):
            fetch(f"{server.base_url}/ok", FetchPolicy(timeout=2, allow_hosts=[f"127.0.0.1:{port + 1}"]))


@pytest.mark.parametrize("entry", ["http://127.0.0.1:8001/", "127.0.0.1:99999", "intranet local", "*.example.org",
                                   "host:port", "10.0.0.0/33"])
def test_allow_list_entry_that_matches_nothing_is_a_warning(entry, caplog):
    from vistka.pipeline.fetch.guard import AddressGuard, parse_allow_entry

    assert parse_allow_entry(entry) is None
    with caplog.at_level("WARNING", logger="vistka.pipeline.fetch.guard"):
        AddressGuard(["127.0.0.1", entry])
    assert f"entry {entry!r} matches no host" in caplog.text


@pytest.mark.parametrize(("raw", "clean"), [
    ("a\x00b", "ab"), ("tab\tand\nnewline", "tab\tand\nnewline"), ("win\r\nline\rmac", "win\nline\nmac"),
    ("bell\x07 esc\x1b[31m del\x7f c1\x85\x9b", "bell esc[31m del c1"), ("lone \ud800 surrogate", "lone  surrogate"),
    ("non\ufffechar\uffff", "nonchar"), ("Київ — «новини» 🇺🇦", "Київ — «новини» 🇺🇦"),
])
def test_control_characters_are_stripped(raw, clean):
    from vistka.core.textclean import strip_control_chars

    assert strip_control_chars(raw) == clean


@pytest.mark.django_db
def test_stored_articles_translations_and_comments_carry_no_control_characters(client, settings):
    from vistka.core.models import Article, Comment, Translation

    settings.COMMENTS_MODERATED = False
    source = make_source("Ctrl\x00 Outlet", "uk", "https://ctrl.example/")
    article = make_article(source, 1, title="Nul\x00 title\x07", body_html="<p>Body\x00 text\x1b</p>\n<p>two</p>",
                           authors=["Ann\x00 Author"], read_also=[{"url": "https://x.example/", "title": "R\x00A"}],
                           translated=False)
    Translation.objects.create(article=article, language="en", title="Trans\x00lated\x0b", lead="Le\x00ad\tok",
                               body_html="<p>Tr\x00</p>", engine="ctranslate2")
    article.refresh_from_db()
    assert (article.title, article.body_html) == ("Nul title", "<p>Body text</p>\n<p>two</p>")
    assert article.authors == ["Ann Author"] and article.read_also[0]["title"] == "RA"
    assert Article.objects.get(pk=article.pk).source.name == "Ctrl Outlet"
    translation = Translation.objects.get(article=article)
    assert (translation.title, translation.lead, translation.body_html) == ("Translated", "Lead\tok", "<p>Tr</p>")
    response = client.post(f"/article/{article.pk}/comment/", {"name": "Bell\x07", "text": "line\r\nnext\x1b[0m"},
                           HTTP_ORIGIN="http://testserver", REMOTE_ADDR="10.7.7.7")
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.name, comment.text) == ("Bell", "line\nnext[0m")


STORE_NUL_ON_POSTGRES = r"""
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.factories import make_article, make_source
source = make_source("Nul\x00 outlet", "en", "https://nul.example/")
article = make_article(source, 1, title="A\x00B", body_html="<p>x\x00y</p>", authors=["C\x00D"])
article.refresh_from_db()
print(json.dumps([article.title, article.body_html, article.authors, article.source.name]))
"""


def test_a_nul_in_outlet_text_does_not_stop_a_save_on_postgres():
    """PostgreSQL refuses NUL in text and jsonb: without the cleaning the save itself raises."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.services import fresh_postgres_database

    pytest.importorskip("psycopg")
    with fresh_postgres_database() as database_url:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vistka.config.settings", "VISTKA_DATABASE_URL": database_url}
        done = subprocess.run([sys.executable, "-c", STORE_NUL_ON_POSTGRES], env=env, cwd=Path(__file__).parent.parent,
                              capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == ["AB", "<p>xy</p>", ["CD"], "Nul outlet"]


@pytest.mark.django_db
def test_review_queue_never_links_to_script_urls(admin_client):
    from vistka.core.models import ArticleStatus

    held = make_article(make_source("Held Outlet", "en", "https://held.example/"), 1, title="Held",
                        status=ArticleStatus.IN_REVIEW)
    held.url = "JaVaScRiPt:alert(1)"
    held.save()
    page = admin_client.get("/admin/core/reviewqueueitem/").content.decode()
    assert "Held" in page and "javascript:" not in page.lower()
