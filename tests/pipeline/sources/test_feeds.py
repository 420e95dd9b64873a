import pytest

from vistka.pipeline.sources.feedreader import FeedError, parse_feed

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>
<item><title>First</title><link>https://example.org/a</link><guid>id-1</guid>
<pubDate>Mon, 27 Jan 2025 12:00:00 +0200</pubDate><description>Teaser</description>
<content:encoded><![CDATA[<p>Full text</p>]]></content:encoded></item>
<item><title>No guid</title><link>https://example.org/b</link></item>
<item><title>No link at all</title></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
<entry><title>Зеленський</title><id>tag:x,2025:1</id><link href="https://example.org/c"/>
<updated>2025-01-27T14:35:00+02:00</updated><author><name>Олена</name></author><summary>Коротко</summary></entry>
</feed>""".encode()


def test_rss_entries_with_full_content():
    entries = parse_feed(RSS)
    assert [e.guid for e in entries] == ["id-1", "https://example.org/b"]
    first = entries[0]
    assert first.content_html == "<p>Full text</p>" and first.summary == "Teaser"
    assert first.published.isoformat() == "2025-01-27T10:00:00+00:00"


def test_atom_entry():
    (entry,) = parse_feed(ATOM)
    assert entry.title == "Зеленський" and entry.authors == ["Олена"] and entry.link == "https://example.org/c"


@pytest.mark.parametrize("content", [b"<html><body>not a feed</body></html>", b"", b"\x00\x01garbage"])
def test_not_a_feed_is_a_clear_error(content):
    with pytest.raises(FeedError):
        parse_feed(content)


def test_truncated_feed_keeps_what_it_can():
    entries = parse_feed(RSS[: RSS.index(b"<item><title>No guid")])
    assert [e.guid for e in entries] == ["id-1"]
