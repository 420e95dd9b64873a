"""A stored body is stripped of its tags once in a process, for the story decision and the search index."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django.utils.html import strip_tags

from tests.factories import make_source
from vistka.core import plaintext
from vistka.core.models import Article, ArticleStatus
from vistka.pipeline.stories import grouping
from vistka.site import fulltext

pytestmark = pytest.mark.django_db


def test_the_story_decision_and_the_search_index_parse_a_body_once(monkeypatch):
    parsed = []
    monkeypatch.setattr(plaintext, "strip_tags", lambda html: parsed.append(html) or strip_tags(html))
    monkeypatch.setattr(plaintext, "_TEXTS", type(plaintext._TEXTS)())
    body = "<p>Divers raised the <b>ferry</b> bell &amp; the anchor near Vylkove.</p>"
    article = Article.objects.create(source=make_source(), guid="g1", url="https://port.example/1", language="en",
                                     title="Ferry bell raised", status=ArticleStatus.PUBLISHED, body_html=body,
                                     published_at=timezone.now(), fetched_at=timezone.now())
    doc = grouping.article_doc(article)
    fulltext.reindex(article.pk)
    assert doc.text == strip_tags(body)
    assert [hit.article_id for hit in fulltext.search("anchor", 10)[0]] == [article.pk]
    assert [hit.article_id for hit in fulltext.search("ferry", 10)[0]] == [article.pk]
    assert parsed == [body]


def test_kept_texts_stay_within_their_limit(monkeypatch):
    monkeypatch.setattr(plaintext, "_TEXTS", type(plaintext._TEXTS)())
    monkeypatch.setattr(plaintext, "TEXTS_LIMIT", 3)
    for number in range(10):
        assert plaintext.tags_stripped(f"<p>Body {number}</p>") == f"Body {number}"
    assert list(plaintext._TEXTS.values()) == ["Body 7", "Body 8", "Body 9"]


def test_a_text_made_in_another_process_is_kept_for_its_body_and_within_the_limit(monkeypatch):
    monkeypatch.setattr(plaintext, "_TEXTS", type(plaintext._TEXTS)())
    monkeypatch.setattr(plaintext, "TEXTS_LIMIT", 2)
    monkeypatch.setattr(plaintext, "strip_tags", lambda html: pytest.fail(f"{html} parsed again"))
    for number in range(3):
        plaintext.remember(f"<p>Body {number}</p>", f"Body {number}")
    assert plaintext.tags_stripped("<p>Body 2</p>") == "Body 2"
    assert list(plaintext._TEXTS.values()) == ["Body 1", "Body 2"]
