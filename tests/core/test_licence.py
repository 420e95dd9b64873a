"""Licence modes on the article page and in the API: full, excerpt (lead + N words + link), link only."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.factories import make_article, make_source
from vistka.core.licence import shown_text
from vistka.core.models import Article, LicenceMode

LONG_BODY = "<p>" + " ".join(f"word{i}" for i in range(300)) + "</p>"


def _article(mode: str, n: int = 1):
    source = make_source(name=f"Outlet {mode}", language="en", homepage=f"https://{mode}.example.org/")
    source.licence_mode = mode
    source.save()
    return make_article(source, n, title=f"Title {mode}", body_html=LONG_BODY, feed_summary="Feed summary.")


@pytest.mark.django_db
def test_new_sources_default_to_excerpt():
    assert make_source().licence_mode == LicenceMode.EXCERPT


@pytest.mark.django_db
@override_settings(EXCERPT_WORDS=50)
@pytest.mark.parametrize(("mode", "last_word_shown", "first_word_hidden", "truncated"), [
    ("full", "word299", None, False),
    ("excerpt", "word49", "word50", True),
    ("link", None, "word0", True),
])
def test_article_page_obeys_licence(client, mode, last_word_shown, first_word_hidden, truncated):
    article = _article(mode)
    page = client.get(article.get_absolute_url()).content.decode()
    if last_word_shown:
        assert f"{last_word_shown}" in page
    if first_word_hidden:
        assert f"{first_word_hidden} " not in page and f"{first_word_hidden}<" not in page
    assert ("Read the full article at" in page) is truncated


@pytest.mark.django_db
def test_link_mode_keeps_title_and_summary():
    article = _article("link")
    article.lead = ""
    article.save()
    shown = shown_text(article)
    assert shown.title == "Title link" and shown.lead == "Feed summary." and shown.body_html == ""


@pytest.mark.django_db
def test_excerpt_escapes_text_taken_from_html():
    source = make_source(language="en")
    article = make_article(source, body_html="<p>a &lt;script&gt; b</p>")
    assert "<script>" not in shown_text(article).body_html


@pytest.mark.django_db
@override_settings(EXCERPT_WORDS=50)
@pytest.mark.parametrize("mode", ["excerpt", "link"])
def test_api_never_gives_more_than_the_licence(client, mode):
    article = _article(mode)
    record = client.get(f"/api/articles/{article.pk}").json()
    assert record["licence_mode"] == mode and record["truncated"] is True
    assert "word50" not in record["body_html"] and record["original_url"] == article.url
    listed = client.get("/api/articles").json()["results"]
    assert all("word50" not in item["body_html"] for item in listed)


@pytest.mark.django_db
def test_api_gives_full_text_when_licence_allows(client):
    article = _article("full")
    record = client.get(f"/api/articles/{article.pk}").json()
    assert "word299" in record["body_html"] and record["truncated"] is False


@pytest.mark.django_db
@override_settings(EXCERPT_WORDS=50)
def test_original_text_page_obeys_licence_too(client):
    source = make_source(name="Excerpt outlet", homepage="https://ex.example.org/")
    article = make_article(source, 1, body_html=LONG_BODY)
    page = client.get(article.get_absolute_url() + "original/").content.decode()
    assert "word49" in page and "word50" not in page
    assert article.body_html == LONG_BODY and Article.objects.get(pk=article.pk).body_html == LONG_BODY


@pytest.mark.django_db
def test_excerpt_keeps_paragraphs_apart():
    source = make_source("Paragraphs")
    source.licence_mode = LicenceMode.EXCERPT
    source.save()
    article = make_article(source, body_html="<p>One said.</p><p>Two units<br>stopped.</p>", translated=False)
    assert "One said. Two units stopped." in shown_text(article, excerpt_words=50).body_html
