"""Extraction checked against the gold annotations of every bundled sample page."""

from __future__ import annotations

import re
from collections import Counter

import httpx
import pytest

from vistka.pipeline.extract import ExtractionError, extract_article
from vistka.pipeline.extract.structured import parse_datetime
from vistka.samples import load_gold

GOLD = load_gold()


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def overlap(extracted: str, expected: str) -> tuple[float, float]:
    """Token precision and recall of the extracted text against the expected text."""
    got, want = tokens(extracted), tokens(expected)
    shared = sum((Counter(got) & Counter(want)).values())
    return shared / max(len(got), 1), shared / max(len(want), 1)


@pytest.mark.parametrize("gold", GOLD, ids=[entry["id"] for entry in GOLD])
def test_sample_page_matches_gold(sample_server, gold):
    url = gold["url"].replace("{{BASE}}", sample_server.base_url)
    response = httpx.get(url)
    result = extract_article(response.content, url, encoding=response.charset_encoding)
    assert result.title == gold["title"]
    assert result.published == parse_datetime(gold["published"])
    assert result.updated == (parse_datetime(gold["updated"]) if gold["updated"] else None)
    assert result.lead == gold["lead"]
    assert result.authors == gold["authors"]
    assert result.image == gold["image"].replace("{{BASE}}", sample_server.base_url)
    expected_links = sorted(link.replace("{{BASE}}", sample_server.base_url) for link in gold["read_also"])
    assert sorted(link["url"] for link in result.read_also) == expected_links
    # The reader sees the lead above the body, so the two together must be the article's text.
    expected = gold["paragraphs"] if gold["lead_in_body"] else [gold["lead"], *gold["paragraphs"]]
    precision, recall = overlap(f"{result.lead}\n{result.text}", "\n".join(expected))
    assert recall >= 0.99 and precision >= 0.99, (precision, recall)
    assert "Читайте також" not in result.body_html and "<script" not in result.body_html


def test_hostile_markup_is_sanitised():
    page = """<html><head><title>T</title></head><body><article><h1>Title</h1>
    <p>Перший абзац статті, достатньо довгий, щоб його вважали текстом статті та не відкинули.</p>
    <p onclick="steal()">Другий абзац <a href="javascript:alert(1)">посилання</a> і
    <img src="x" onerror="alert(1)"> ще текст, щоб абзац був довгим і змістовним для екстрактора.</p>
    <script>window.pwned = 1</script></article></body></html>"""
    result = extract_article(page, "https://outlet.test/a/1")
    assert "onclick" not in result.body_html and "javascript:" not in result.body_html
    assert "onerror" not in result.body_html and "pwned" not in result.body_html


@pytest.mark.parametrize("page", ["", "<html><body><nav>menu</nav></body></html>", "\x00\x00"])
def test_page_without_article_is_a_clear_error(page):
    with pytest.raises(ExtractionError):
        extract_article(page, "https://outlet.test/empty")
