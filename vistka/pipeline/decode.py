"""Page bytes to an lxml tree: the server's charset first, then the page's own, then a guess."""

from __future__ import annotations

import codecs
import re
from urllib.parse import urljoin

import lxml.etree
import lxml.html

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def decode_page(content: bytes, declared: str | None = None) -> str:
    """Text of a page; a wrong or missing declaration falls through to the next candidate."""
    meta = META_CHARSET.search(content[:4096])
    candidates = [declared, meta.group(1).decode("ascii") if meta else None, "utf-8"]
    for candidate in filter(None, candidates):
        try:
            return content.decode(codecs.lookup(candidate).name)
        except (LookupError, UnicodeDecodeError):
            continue
    from trafilatura.utils import decode_file  # charset detection, only for undeclared non-UTF-8 pages

    return decode_file(content)


def parse_page(html: str | bytes, url: str, encoding: str | None = None) -> lxml.html.HtmlElement:
    """Parse (links stay as written: only the parts kept are made absolute); ValueError when empty."""
    text = decode_page(html, encoding) if isinstance(html, bytes) else html
    text = XML_DECLARATION.sub("", text.replace("\x00", ""))
    if not text.strip():
        raise ValueError("the page is empty")
    try:
        tree = lxml.html.document_fromstring(text)
    except (ValueError, lxml.etree.ParserError) as error:
        raise ValueError(f"not parseable HTML: {error}") from None
    return tree


def page_base(tree: lxml.html.HtmlElement, url: str) -> str:
    """The URL relative links resolve against: the page's <base href> if it has one."""
    base = tree.find(".//head/base[@href]")
    return urljoin(url, base.get("href").strip()) if base is not None else url
