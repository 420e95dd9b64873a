"""Per-outlet rules, field provenance and the special pages of the gold set."""

from __future__ import annotations

import json

import httpx
import pytest
from click.testing import CliRunner

from vistka.cli import main
from vistka.pipeline.extract import ExtractionError, extract_article
from vistka.rules import RuleError, load_rules, rule_for, rule_from_mapping, shipped_rules
from vistka.samples import load_gold


def fetch_gold(server, gold_id: str) -> tuple[dict, httpx.Response]:
    gold = next(g for g in load_gold(server.base_url) if g["id"] == gold_id)
    return gold, httpx.get(gold["url"])


def test_shipped_rules_load_and_cover_every_sample_outlet():
    names = {rule.name for rule in shipped_rules()}
    assert {"svoboda", "pravda", "ukrvisti", "ledger", "slobid", "dnipro"} <= names
    for gold in load_gold("http://127.0.0.1:9"):
        assert rule_for(gold["url"]).name == gold["outlet"]


@pytest.mark.parametrize(("rule", "message"), [
    ({"name": "x", "bodyy": "div"}, "unknown field"),
    ({"name": "x", "body": "div[["}, "not valid CSS"),
    ({"name": "x", "timezone": "Mars/Olympus"}, "unknown time zone"),
    ({"name": "x", "title": 3}, "must be text"),
])
def test_malformed_rules_are_refused_with_the_reason(rule, message):
    with pytest.raises(RuleError, match=message):
        rule_from_mapping(rule)


def test_duplicate_rule_names_are_refused(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("- {name: a, match: ['x/*']}\n- {name: a, match: ['y/*']}\n")
    with pytest.raises(RuleError, match="unique"):
        load_rules(path)


def test_rule_fields_win_and_provenance_is_recorded(sample_server):
    gold, response = fetch_gold(sample_server, "dnipro-putin-legitimacy")
    result = extract_article(response.content, gold["url"])
    assert result.method["body"] == "rule" and result.method["published"] == "rule"
    assert result.method["title"] == "json-ld"
    generic = extract_article(response.content, gold["url"], use_rules=False)
    assert generic.method["body"] in {"trafilatura", "json-ld"} and generic.method["published"] == "json-ld"


def test_source_override_replaces_a_shipped_field(sample_server):
    gold, response = fetch_gold(sample_server, "ledger-nbu-key-rate")
    result = extract_article(response.content, gold["url"], rule_override={"title": ".story-header .standfirst"})
    assert result.title == gold["lead"] and result.method["title"] == "rule"
    with pytest.raises(ExtractionError, match="rule is invalid"):
        extract_article(response.content, gold["url"], rule_override={"body": "::nope("})


def test_windows_1251_page_is_decoded_from_the_header_or_the_page(sample_server):
    gold, response = fetch_gold(sample_server, "slobid-sumy-strike")
    assert response.headers["content-type"] == "text/html; charset=windows-1251"
    assert response.content.decode("cp1251")  # really served in windows-1251
    for declared in ("windows-1251", None):
        result = extract_article(response.content, gold["url"], encoding=declared)
        assert result.title == gold["title"] and gold["paragraphs"][0] in result.text


def test_date_only_in_json_ld(sample_server):
    gold, response = fetch_gold(sample_server, "slobid-eu-sanctions-renewal")
    assert b"published_time" not in response.content and b"<time" not in response.content
    result = extract_article(response.content, gold["url"], use_rules=False)
    assert result.published.isoformat() == gold["published"] and result.method["published"] == "json-ld"


def test_paywall_teaser_keeps_only_what_the_page_shows(sample_server):
    gold, response = fetch_gold(sample_server, "dnipro-us-aid-freeze")
    for use_rules in (True, False):
        result = extract_article(response.content, gold["url"], use_rules=use_rules)
        assert gold["paragraphs"][-1] in result.text
        assert "передплат" not in result.text.lower()  # the sign-up box is gone
        assert "десять мільйонів доларів" not in result.text  # hidden text from JSON-LD is not shown


def test_photo_story_keeps_captions_with_their_images(sample_server):
    gold, response = fetch_gold(sample_server, "dnipro-sumy-strike")
    result = extract_article(response.content, gold["url"])
    assert result.body_html.count("<figure>") == 6 and result.body_html.count("<figcaption>") == 6
    assert "<figcaption>Кінологи шукають людей під уламками перекриттів.</figcaption>" in result.body_html
    assert "Кінологи" not in result.text  # plain text is the prose; captions stay in the HTML
    assert result.image not in result.body_html  # the lead picture is shown above the body, not twice


def test_embeds_become_plain_links(sample_server):
    _, tweet_page = fetch_gold(sample_server, "slobid-trump-sanctions-threat")
    gold, video_page = fetch_gold(sample_server, "slobid-velyka-novosilka")
    tweet = extract_article(tweet_page.content, str(tweet_page.url))
    assert '<a href="https://twitter.com/slobid_news/status/1882345678901234567" rel="noopener nofollow">' in tweet.body_html
    assert "<blockquote" not in tweet.body_html and "<script" not in tweet.body_html
    video = extract_article(video_page.content, gold["url"])
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in video.body_html and "<iframe" not in video.body_html


def test_read_also_variants_become_links(sample_server):
    for gold_id in ("slobid-kstovo-refinery", "dnipro-odesa-strike"):
        gold, response = fetch_gold(sample_server, gold_id)
        result = extract_article(response.content, gold["url"])
        assert [link["url"] for link in result.read_also] == gold["read_also"]
        assert "також" not in result.text.lower()


def test_relative_links_become_absolute_and_external_links_get_rel():
    page = """<html><head><base href="https://outlet.test/news/"></head><body><article><h1>T</h1>
    <p>Перший абзац статті з <a href="other.html">відносним посиланням</a>, достатньо довгий для екстрактора.</p>
    <p>Другий абзац статті, теж досить довгий, щоб trafilatura визнала цей блок основним текстом сторінки.</p>
    </article></body></html>"""
    result = extract_article(page, "https://outlet.test/a/1")
    assert '<a href="https://outlet.test/news/other.html" rel="noopener nofollow">' in result.body_html


def test_cli_prints_json_lines_for_saved_pages(sample_server, tmp_path):
    gold, response = fetch_gold(sample_server, "pravda-nbu-key-rate")
    saved = tmp_path / "page.html"
    saved.write_bytes(response.content)
    outcome = CliRunner().invoke(main, ["extract", "--url", gold["url"], str(saved), str(tmp_path / "missing.html")])
    assert outcome.exit_code == 1  # the missing file
    first, second = (json.loads(line) for line in outcome.output.splitlines())
    assert set(first) == {"input", "url", "title", "authors", "published", "updated", "language", "image", "lead",
                          "text", "html", "read_also", "method"}
    assert first["title"] == gold["title"] and first["published"] == gold["published"]
    assert first["language"] == "uk" and first["method"]["body"] == "rule"
    assert second["input"].endswith("missing.html") and "error" in second


def test_cli_tries_an_operator_rule_file(sample_server, tmp_path):
    gold, response = fetch_gold(sample_server, "ledger-nbu-key-rate")
    (tmp_path / "page.html").write_bytes(response.content)
    (tmp_path / "rule.yaml").write_text('title: ".story-header .standfirst"\n')
    (tmp_path / "bad.yaml").write_text('bodyy: "div"\n')
    runner = CliRunner()
    good = runner.invoke(main, ["extract", "--url", gold["url"], "--rules", str(tmp_path / "rule.yaml"),
                                str(tmp_path / "page.html")])
    assert json.loads(good.output)["title"] == gold["lead"]
    bad = runner.invoke(main, ["extract", "--rules", str(tmp_path / "bad.yaml"), str(tmp_path / "page.html")])
    assert bad.exit_code == 2 and "unknown field" in bad.output


@pytest.mark.parametrize(("blocks", "kept"), [
    (["<p>27.01.2025 14:35</p>", "<p>Текст статті.</p>"], ["Текст статті."]),
    (["<p>Текст статті.</p>", "<p>© 2025 Outlet. Усі права захищено.</p>", "<p>Адреса редакції: Київ.</p>"],
     ["Текст статті."]),
    (["<p>Текст статті.</p>", '<p>Підписуйтесь на наш <a href="https://t.me/x">Telegram</a>!</p>'],
     ["Текст статті."]),
    # a closing paragraph that reports on Telegram is article text, not a promo
    (["<p>Текст статті.</p>", "<p>Про удар губернатор повідомив у своєму Telegram-каналі близько полудня, "
      "а згодом оновив дані про загиблих і поранених.</p>"],
     ["Текст статті.", "Про удар губернатор повідомив у своєму Telegram-каналі близько полудня, а згодом оновив "
      "дані про загиблих і поранених."]),
])
def test_generic_noise_is_trimmed_but_text_is_kept(blocks, kept):
    import lxml.html

    from vistka.pipeline.extract.fallback import trim_generic_noise

    body = lxml.html.document_fromstring(f"<html><body>{''.join(blocks)}</body></html>").body
    trim_generic_noise(body)
    assert [" ".join(child.text_content().split()) for child in body] == kept


def test_layout_tables_become_blocks_but_data_tables_stay():
    import lxml.html

    from vistka.pipeline.extract.fallback import unwrap_layout_tables

    tree = lxml.html.document_fromstring(
        "<html><body><table><tr><td>menu</td><td><h1>T</h1><p>a</p></td></tr></table>"
        "<table><tr><td>1</td><td>2</td></tr></table></body></html>")
    unwrap_layout_tables(tree)
    assert len(tree.findall(".//table")) == 1 and tree.find(".//table//td").text == "1"


def test_date_without_structured_data_falls_back_to_htmldate():
    page = """<html><head><title>Т</title></head><body><article><h1>Заголовок новини</h1>
    <p class="date">Опубліковано 27 січня 2025 року</p><p>Дата: 2025-01-27</p>
    <p>Перший абзац статті, достатньо довгий, щоб його вважали текстом статті та не відкинули.</p>
    <p>Другий абзац статті, теж досить довгий, щоб trafilatura визнала цей блок основним текстом.</p>
    </article></body></html>"""
    result = extract_article(page, "https://outlet.test/news/2025/01/27/some-story")
    assert result.method["published"] == "htmldate"
    assert result.published.isoformat() == "2025-01-27T00:00:00+00:00"


ARTICLE_TEXT = ("<p>Перший абзац статті, достатньо довгий, щоб його вважали текстом статті та не відкинули.</p>"
                "<p>Другий абзац статті, теж досить довгий, щоб trafilatura визнала цей блок основним текстом.</p>")


@pytest.mark.parametrize("ld", [
    "{not json",
    '{"@type": "NewsArticle", "headline": 5, "author": "Одна Людина", "image": [{"url": "/i.jpg"}]}',
    '{"@type": ["NewsArticle"], "datePublished": "вчора", "articleBody": 7, "hasPart": "x"}',
    '{"@graph": [{"@type": "WebPage"}, {"@type": "NewsArticle", "headline": "З графа",'
    ' "hasPart": {"isAccessibleForFree": false, "cssSelector": "[["}}]}',
    '[1, "two", null]',
])
def test_odd_structured_data_never_breaks_extraction(ld):
    page = (f'<html><head><script type="application/ld+json">{ld}</script></head>'
            f"<body><article><h1>Заголовок</h1>{ARTICLE_TEXT}</article></body></html>")
    result = extract_article(page, "https://outlet.test/news/1")
    assert "Перший абзац" in result.text and result.title
    assert result.published is None or result.published.tzinfo is not None


def test_bytes_in_an_undeclared_legacy_charset_are_detected():
    page = f"<html><body><article><h1>Заголовок</h1>{ARTICLE_TEXT}</article></body></html>".encode("cp1251")
    assert "Перший абзац" in extract_article(page, "https://outlet.test/news/2").text
