"""Feed parsing survives malformed documents; URLs are normalised; legacy charsets decode right."""

from __future__ import annotations

import pytest

from vistka.pipeline.fetch.charset import as_utf8_document, decode_document
from vistka.pipeline.sources.feedreader import FeedError, read_feed
from vistka.pipeline.sources.urlclean import normalise_url

RSS_HEAD = b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
ITEM = b"<item><title>A</title><link>https://o.example/a</link></item>"
BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
                             for n in range(1, 10))
                  + b']><rss version="2.0"><channel><title>&lol9;</title>' + ITEM + b"</channel></rss>")
MALFORMED = {
    "empty": b"",
    "whitespace": b"   \n\t ",
    "binary": bytes(range(256)) * 4,
    "truncated": RSS_HEAD + ITEM + b"<item><title>B</ti",
    "unclosed-cdata": RSS_HEAD + b"<item><title><![CDATA[oops</title></item>",
    "undefined-entity": RSS_HEAD + b"<item><title>&nbsp;&copy;&bogus;</title><link>https://o.example/b</link></item>",
    "billion-laughs": BILLION_LAUGHS,
    "external-entity": (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                        b'<rss version="2.0"><channel><item><title>&x;</title><link>https://o.example/x</link>'
                        b"</item></channel></rss>"),
    "utf16": ('<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><item><title>Привіт</title>'
              "<link>https://o.example/u</link></item></channel></rss>").encode("utf-16"),
    "wrong-encoding": RSS_HEAD.replace(b"utf-8", b"koi8-u") + "<item><title>Новини</title></item>".encode(),
    "unknown-encoding": RSS_HEAD.replace(b"utf-8", b"x-klingon") + ITEM + b"</channel></rss>",
    "deep-nesting": RSS_HEAD + b"<item>" + b"<div>" * 5000 + b"</item>",
    "html": b"<!doctype html><html><body><p>not a feed</p></body></html>",
    "json": b'{"version": "https://jsonfeed.org/version/1", "items": []}',
    "atom-no-links": b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>x</title></entry></feed>',
    "nul-bytes": RSS_HEAD + b"<item><title>a\x00b</title><link>https://o.example/n</link></item>",
    "javascript-link": RSS_HEAD + b"<item><title>x</title><link>javascript:alert(1)</link></item>",
    "sitemap-index": (b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap>'
                      b"<loc>https://o.example/s1.xml</loc></sitemap></sitemapindex>"),
    "broken-sitemap": b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://o',
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_feed_gives_entries_or_a_feed_error(name):
    try:
        parsed = read_feed(as_utf8_document(MALFORMED[name]), "https://o.example/feed")
    except FeedError as error:
        assert str(error)
        return
    for entry in parsed.entries:
        assert entry.link.startswith("https://o.example/") and entry.guid


def test_entities_are_not_expanded_into_the_title():
    parsed = read_feed(BILLION_LAUGHS)
    assert all(len(entry.title) < 1000 for entry in parsed.entries)


@pytest.mark.parametrize(("url", "expected"), [
    ("https://WWW.Outlet.example:443/news/a.html?utm_source=tw&utm_medium=x&id=5#comments",
     "https://www.outlet.example/news/a.html?id=5"),
    ("https://outlet.example/a?fbclid=abc", "https://outlet.example/a"),
    ("https://outlet.example/a?gclid=1&b=2&a=1", "https://outlet.example/a?a=1&b=2"),
    ("http://127.0.0.1:8001/pravda/news/x.html", "http://127.0.0.1:8001/pravda/news/x.html"),
    ("mailto:desk@outlet.example", "mailto:desk@outlet.example"),
])
def test_urls_are_normalised(url, expected):
    assert normalise_url(url) == expected


UKRAINIAN = "Президент України заявив, що уряд ухвалив рішення про підтримку громад."


@pytest.mark.parametrize(("encoding", "declared", "expected"), [
    ("koi8_u", "windows-1251", "koi8_u"),   # declared wrong, both Cyrillic
    ("cp1251", "koi8-u", "cp1251"),
    ("cp1251", "utf-8", "cp1251"),          # declared UTF-8, is not
    ("cp1251", None, "cp1251"),             # nothing declared
    ("koi8_u", None, "koi8_u"),
    ("utf-8", "iso-8859-1", "utf_8"),       # valid UTF-8 beats a wrong 8-bit label
])
def test_ukrainian_charsets(encoding, declared, expected):
    html = f"<html><head><title>Новини</title></head><body><p>{UKRAINIAN * 3}</p></body></html>"
    text, codec = decode_document(html.encode(encoding), declared)
    assert codec == expected and UKRAINIAN in text


def test_meta_charset_is_used_when_the_server_says_nothing():
    html = '<html><head><meta charset="koi8-u"></head><body><p>' + UKRAINIAN + "</p></body></html>"
    assert UKRAINIAN in decode_document(html.encode("koi8_u"))[0]


def test_western_page_is_not_mistaken_for_cyrillic():
    text, codec = decode_document("<p>Élysée café résumé à côté</p>".encode("cp1252"), "windows-1252")
    assert codec == "cp1252" and "Élysée" in text
