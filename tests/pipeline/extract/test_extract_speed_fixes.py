"""What was made cheaper in extraction (issue 15) must read pages exactly as before: the byline search
done in one walk (byline.py) against trafilatura's own, and page elements whose class lxml chooses in C."""

from __future__ import annotations

import lxml.html
import pytest
from trafilatura.metadata import extract_author

from vistka.pipeline.extract import extract_article
from vistka.pipeline.extract.byline import byline
from vistka.pipeline.extract.decode import parse_page

URL = "https://news.example.org/2025/01/27/story.html"
STORY = "<p>The regional council approved the new budget for public transport on Monday evening.</p>" * 4


def page(markup: str) -> str:
    return f"<html><head><title>Budget</title></head><body><article><h1>Budget</h1>{markup}{STORY}</article></body></html>"


BYLINES = [
    # the specific query wins over a generic match earlier on the page
    '<div class="post-author-box">Editorial team</div><span class="author-name">Maria Kovalenko</span>',
    # a generic class match, with a date inside the byline box that trafilatura deletes first
    '<p class="byline">By Olena Petrenko <time>27 January 2025</time></p>',
    # the text after a deleted element joins the text before it, as in trafilatura's pruned copy
    '<div class="author">By<time>today</time>Taras Shevchuk</div>',
    # a byline inside a comment list or a figure is no byline; the next match is taken
    '<div class="comments"><span class="author">A reader</span></div><a rel="author" href="/a/ivan">Ivan Franko</a>',
    '<figure><img src="/p.jpg"><figcaption class="author">Photo: Agency</figcaption></figure>'
    '<span class="writer">Lesya Ukrainka</span>',
    # too long to be a byline: the next query's match is taken
    '<div class="author">' + "A very long biography of the author that goes on and on. " * 3 + '</div>'
    '<span class="screenname">Hryhorii Skovoroda</span>',
    # an element named <author>, and none at all
    '<author>Mykola Lysenko</author>',
    '<p>No byline on this page.</p>',
]


@pytest.mark.parametrize("markup", BYLINES)
def test_the_byline_walk_finds_what_trafilatura_finds(markup):
    tree = parse_page(page(markup), URL)
    before = lxml.html.tostring(tree)
    assert byline(tree) == (extract_author(tree) or "")
    assert lxml.html.tostring(tree) == before  # the page itself is left as it was


def test_a_byline_from_the_markup_reaches_the_article():
    result = extract_article(page('<p class="byline">By Olena Petrenko <time>27 January 2025</time></p>'), URL)
    assert result.authors == ["Olena Petrenko"] and result.method["authors"] == "trafilatura"


def test_page_elements_are_plain_html_elements_and_read_the_same():
    tree = parse_page(page('<form action="/s"><input name="q"><label>Search</label></form>'), URL)
    form = tree.find(".//form")
    assert type(form) is lxml.html.HtmlElement  # no FormElement: its class is chosen in C, not in Python
    assert form.text_content() == "Search" and tree.find(".//input").get("name") == "q"


def test_the_body_is_found_without_lxmls_query():
    from vistka.pipeline.extract.decode import body_of

    tree = parse_page(page("<p>Text.</p>"), URL)
    assert body_of(tree) is tree.body
    fragment = lxml.html.fromstring("<div><p>A part of a page.</p></div>")
    assert body_of(fragment) is fragment.body  # the <body> lxml put around it
    assert body_of(lxml.html.Element("div")) is None


def test_the_bodys_links_and_pictures_become_absolute():
    markup = ("<p>The council <a href='budget.html'>published the budget</a> and a "
              "<a href='http://[broken/x'>broken link</a>.</p><img src='/media/tram.jpg' alt='Tram'>")
    result = extract_article(page(markup), URL)
    assert 'href="https://news.example.org/2025/01/27/budget.html"' in result.body_html
    assert 'src="https://news.example.org/media/tram.jpg"' in result.body_html
    assert "broken link" in result.text and "[broken" not in result.body_html
