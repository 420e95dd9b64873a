"""Page bytes to an lxml tree, decoded the fetcher's way (fetch/charset.py)."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.etree
import lxml.html

from vistka.pipeline.fetch.charset import decode_document

XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# Comments leave at parse time, their neighbours' text joined: trafilatura, given a tree that holds
# them, drops the text after one ("leak-prone <!-- -->water and sewer mains" lost its end).
PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
# lxml.html picks each element's class in Python (its lookup gives <form>, <input> and kin their own
# classes), a call for every element object made: trafilatura's walks over the page made two million
# of them on the real corpora, 3 ms a page (6% of extraction). Extraction uses no form methods, so
# every element is a plain HtmlElement, chosen in C; the text and the tree are the same.
PARSER.set_element_class_lookup(lxml.etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity))


def decode_page(content: bytes, declared: str | None = None) -> str:
    """Text of a page, decoded exactly as the fetcher decodes it (fetch/charset.py weighs a BOM, valid
    UTF-8, the server's and the page's declarations), so a saved page given to `vistka extract` or
    `make eval-extract` reads the same as the page fetched by the pipeline."""
    return decode_document(content, declared)[0]


def parse_page(html: str | bytes, url: str, encoding: str | None = None) -> lxml.html.HtmlElement:
    """Parse (links stay as written: only the parts kept are made absolute); ValueError when empty."""
    text = decode_page(html, encoding) if isinstance(html, bytes) else html
    text = XML_DECLARATION.sub("", text.replace("\x00", ""))
    if not text.strip():
        raise ValueError("the page is empty")
    try:
        tree = lxml.html.document_fromstring(text, parser=PARSER)
    except (ValueError, lxml.etree.ParserError) as error:
        raise ValueError(f"not parseable HTML: {error}") from None
    return tree


def page_base(tree: lxml.html.HtmlElement, url: str) -> str:
    """The URL relative links resolve against: the page's <base href> if it has one."""
    base = tree.find(".//head/base[@href]")
    return urljoin(url, base.get("href").strip()) if base is not None else url


def body_of(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The page's <body>, None when it has none. lxml.html's `.body` runs an XPath query over the whole
    page on each use (0.2 ms); the HTML parser always puts <body> right under <html>."""
    body = tree.find("body")
    if body is None and tree.tag != "html":  # a tree that is not a whole page: look it up the slow way
        found = tree.xpath("//body")
        body = found[0] if found else None
    return body
