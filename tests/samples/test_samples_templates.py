"""The sample outlets' templates (vistka/samples/templates) and the engine that renders them.

test_samples.py checks that the build reproduces the checked-in site byte for byte; these tests check
the template machinery on minimal inputs written here: an article with no tags, authors, section,
update or read-also, alone in its outlet, so every optional block and every list is empty.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import feedparser
import pytest
from django.template import Context as TemplateContext
from lxml import html as lxml_html

from vistka.samples import GOLD_PATH, STORIES_PATH
from vistka.samples.build import (
    TEMPLATES_DIR,
    Article,
    Context,
    article_page,
    body_paragraphs,
    engine,
    load_outlets,
    render,
)
from vistka.samples.formats import esc, xesc

UNKNOWN = "<<unknown template variable"
OUTLETS = load_outlets()


def bare_article(slug: str) -> Article:
    outlet = OUTLETS[slug]
    published = datetime.fromisoformat("2025-02-01T09:05:00+02:00")
    return Article(
        id=f"{slug}-bare",
        outlet=slug,
        story="bare",
        path=f"/{slug}/news/bare.html",
        title="Заголовок з 'апострофом' & <тегом>",
        lead="Лід без прикрас.",
        paragraphs=["Перший абзац.", "Другий абзац.", "Третій абзац.", "Четвертий абзац."],
        published=published,
        updated=None,
        authors=[],
        image=f"/{slug}/img/2025/02/bare.jpg",
        caption="",
        section="",
        tags=[],
        language=outlet["language"],
    )


def test_esc_keeps_apostrophes_which_django_escaping_would_not():
    # The pages were written with apostrophes as they are; Django's autoescape would give &#x27;.
    assert esc("""O'Neill "quoted" <b> & co""") == "O'Neill &quot;quoted&quot; &lt;b&gt; &amp; co"
    assert xesc("O'Neill <b>") == "O&#x27;Neill &lt;b&gt;"


def test_an_unknown_variable_shows_in_the_output():
    text = (
        engine().from_string("[{{ a.no_such_field }}]").render(TemplateContext({"a": {}}, autoescape=False))
    )
    assert UNKNOWN in text


def test_every_outlet_has_its_three_templates():
    for slug, outlet in OUTLETS.items():
        feed = Path(outlet["feed"]).name
        for name in ("article.html", "home.html", feed):
            assert (TEMPLATES_DIR / slug / name).is_file(), f"{slug}/{name}"
        assert outlet["nav"] and all(len(item) == 2 for item in outlet["nav"])


@pytest.mark.parametrize("slug", sorted(OUTLETS))
def test_a_bare_article_renders_in_every_outlet(slug):
    outlet = OUTLETS[slug]
    a = bare_article(slug)
    ctx = Context({slug: outlet}, [a], {a.id: a}, {slug: [a]})
    common = {"base": "{{BASE}}", "w": 320, "h": 180, "outlet": outlet}
    page = article_page(a, outlet, ctx)
    assert page["popular"] == []  # alone in its outlet: the sidebar list is empty

    article_html = render(f"{slug}/article.html", {**common, **page})
    listing = {**common, "items": [page], "last": a.published}
    home_html = render(f"{slug}/home.html", listing)
    feed_xml = render(f"{slug}/{Path(outlet['feed']).name}", listing)
    for text in (article_html, home_html, feed_xml):
        assert UNKNOWN not in text
        assert "None" not in text  # an empty optional value printed as Python's None

    # The body container holds exactly the gold paragraphs, escaped once.
    doc = lxml_html.fromstring(article_html.encode(outlet.get("charset", "utf-8")))
    (body,) = doc.xpath(outlet["body_xpath"])
    texts = [" ".join(p.text_content().split()) for p in body.iter("p")]
    assert texts == body_paragraphs(a, outlet)
    assert doc.xpath("//h1")[0].text_content().strip() == a.title

    parsed = feedparser.parse(feed_xml.encode(outlet.get("charset", "utf-8")))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert [e.title for e in parsed.entries] == [a.title]


def test_build_needs_no_django_settings(tmp_path):
    # `python -m vistka.samples.build` runs outside Django: the engine must not read settings.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    proc = subprocess.run(
        [sys.executable, "-m", "vistka.samples.build", "--out", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "gold.json").read_bytes() == GOLD_PATH.read_bytes()
    assert (tmp_path / "stories.json").read_bytes() == STORIES_PATH.read_bytes()
