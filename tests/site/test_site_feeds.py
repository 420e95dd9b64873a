"""Feeds for the site, each outlet and each topic, parsed back the way readers' apps parse them."""

import json
from pathlib import Path

import feedparser
import jsonschema
import pytest

from tests.factories import make_article, make_source
from vistka.pipeline.publish.tagging import attach_topics

pytestmark = pytest.mark.django_db
SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "data" / "jsonfeed-1.1.schema.json").read_text())


@pytest.fixture
def published():
    radio = make_source()
    ledger = make_source("Kyiv Test Ledger", "en", "https://ledger.test/")
    translated = make_article(radio, 1, authors=["Olena P."])
    english = make_article(ledger, 2, title="Ledger & <friends> report")
    attach_topics(translated, ["Energy"])
    return radio, translated, english


def feed_paths(radio):
    return {"site": "/feed", "source": f"/source/{radio.pk}/radio-test/feed", "topic": "/topic/energy/feed"}


@pytest.mark.parametrize("kind", ["site", "source", "topic"])
@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_xml_feeds_parse_back(client, published, kind, fmt):
    radio, translated, english = published
    response = client.get(f"{feed_paths(radio)[kind]}.{fmt}")
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == ("rss20" if fmt == "rss" else "atom10")
    titles = [entry.title for entry in parsed.entries]
    assert "Headline 1" in titles and (("Ledger & <friends> report" in titles) == (kind == "site"))
    entry = parsed.entries[titles.index("Headline 1")]
    assert entry.link == "http://testserver" + translated.get_absolute_url()
    assert "The body." in entry.description and translated.url in entry.description
    assert [tag.term for tag in entry.tags] == ["Energy"]


@pytest.mark.parametrize("kind", ["site", "source", "topic"])
def test_json_feed_follows_the_spec(client, published, kind):
    radio, translated, _ = published
    response = client.get(f"{feed_paths(radio)[kind]}.json")
    assert response["Content-Type"].startswith("application/feed+json")
    document = json.loads(response.content)
    jsonschema.validate(document, SCHEMA, format_checker=jsonschema.FormatChecker())
    item = next(entry for entry in document["items"] if entry["id"] == f"http://testserver/article/{translated.pk}/")
    assert item["title"] == "Headline 1" and item["external_url"] == translated.url
    assert item["authors"] == [{"name": "Olena P."}] and item["tags"] == ["Energy"]
    assert document["feed_url"].endswith(f"{feed_paths(radio)[kind]}.json")


def test_unknown_feed_is_404(client, published):
    assert client.get("/topic/nothing/feed.rss").status_code == 404
    assert client.get("/source/9999/x/feed.json").status_code == 404


def test_feed_and_sitemap_queries_do_not_grow_with_items(client, published, django_assert_max_num_queries):
    radio, *_ = published
    for n in range(10, 40):
        attach_topics(make_article(radio, n), ["Energy"])
    with django_assert_max_num_queries(8):
        assert len(feedparser.parse(client.get("/feed.atom").content).entries) == 32
    with django_assert_max_num_queries(8):
        assert client.get("/sitemap.xml").content.count(b"/article/") == 32
