"""Extract stage: an article page in, its title, metadata, clean body and "Read also" links out.

Order of trust per field: the page's structured data (JSON-LD NewsArticle, OpenGraph/meta), then
trafilatura's generic extraction, then the feed entry. `Extracted.method` records which one won.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

import lxml.html
import trafilatura
from trafilatura.htmlprocessing import build_html_output

from vistka.pipeline import structured
from vistka.pipeline.feeds import FeedEntry
from vistka.pipeline.sanitize import sanitize_html


class ExtractionError(Exception):
    """The page has no recognisable article."""


READ_ALSO_PREFIXES = ("читайте також", "читайте также", "дивіться також", "read also", "see also",
                      "також читайте", "read more", "related:")


@dataclass
class Extracted:
    title: str
    body_html: str
    text: str
    lead: str = ""
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    updated: datetime | None = None
    image: str = ""
    read_also: list[dict] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    method: dict[str, str] = field(default_factory=dict)


def extract_article(html: str | bytes, url: str, entry: FeedEntry | None = None) -> Extracted:
    """Extract one article page; `entry` (its feed item) fills fields the page lacks."""
    tree = _parse(html, url)
    meta = structured.read_metadata(tree)
    read_also = pop_read_also_blocks(tree, url)
    document = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_links=True, include_formatting=True,
        include_comments=False, include_tables=True, output_format="python",
    )
    if document is None or document.body is None:
        raise ExtractionError(f"no article text found on {url}")
    body = _body_element(build_html_output(document))
    extracted = Extracted(title="", body_html="", text="", read_also=read_also, method={"body": "trafilatura"},
                          keywords=meta.keywords, entities=meta.entities)
    _choose(extracted, "title", [("json-ld", meta.title), ("trafilatura", document.title),
                                 ("feed", entry.title if entry else "")])
    _choose(extracted, "authors", [("json-ld", meta.authors), ("trafilatura", _split_authors(document.author)),
                                   ("feed", entry.authors if entry else [])])
    _choose(extracted, "published", [("json-ld", meta.published), ("feed", entry.published if entry else None),
                                     ("trafilatura", _parse_date(document.date))])
    _choose(extracted, "updated", [("json-ld", meta.updated)])
    _choose(extracted, "image", [("json-ld", meta.image), ("trafilatura", document.image or "")])
    _choose(extracted, "lead", [("feed", _plain(entry.summary) if entry else ""), ("meta", meta.description),
                                ("body", _first_paragraph_text(body))])
    _drop_repeated_head(body, extracted.title, extracted.lead)
    extracted.body_html = sanitize_html(_inner_html(body))
    extracted.text = "\n\n".join(_block_texts(body))
    if not extracted.text:
        raise ExtractionError(f"no article text found on {url}")
    if extracted.image:
        extracted.image = urljoin(url, extracted.image)
    return extracted


def _choose(extracted: Extracted, name: str, candidates: list[tuple[str, object]]) -> None:
    for method, value in candidates:
        if value:
            setattr(extracted, name, value)
            extracted.method[name] = method
            return


def _parse(html: str | bytes, url: str) -> lxml.html.HtmlElement:
    try:
        tree = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError) as error:
        raise ExtractionError(f"{url} is not parseable HTML: {error}") from None
    tree.make_links_absolute(url, resolve_base_href=True, handle_failures="discard")
    return tree


def pop_read_also_blocks(tree: lxml.html.HtmlElement, url: str) -> list[dict]:
    """Find "Читайте також"-style blocks, return their links and remove them from the page."""
    links: list[dict] = []
    for element in list(tree.iter("p", "div", "aside", "section", "h2", "h3", "h4", "strong", "li")):
        if element.getparent() is None:
            continue
        label = " ".join(element.text_content().split()).lower()[:40]
        if not label.startswith(READ_ALSO_PREFIXES) or len(element.text_content()) > 400:
            continue
        block = _read_also_container(element)
        for anchor in block.iter("a"):
            href, title = anchor.get("href"), " ".join(anchor.text_content().split())
            if href and title and not href.startswith(("mailto:", "javascript:")):
                links.append({"url": urljoin(url, href), "title": title})
        if block.getparent() is not None:
            block.drop_tree()
    return _unique_by_url(links)


def _read_also_container(label: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The element holding both the label and its links (a heading's links are often in the next list)."""
    if label.find(".//a") is not None:
        return label
    following = label.getnext()
    if following is not None and following.tag in {"ul", "ol"}:
        label.drop_tree()
        return following
    parent = label.getparent()
    if parent is not None and parent.tag in {"div", "aside", "section"} and len(parent.text_content()) < 800:
        return parent
    return label


def _unique_by_url(links: list[dict]) -> list[dict]:
    seen, unique = set(), []
    for link in links:
        if link["url"] not in seen:
            seen.add(link["url"])
            unique.append(link)
    return unique


BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "figcaption", "td", "th")


def _body_element(document_html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(document_html).body


def _inner_html(body: lxml.html.HtmlElement) -> str:
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in body).strip()


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


def _block_texts(body: lxml.html.HtmlElement) -> list[str]:
    texts = []
    for element in body.iter(*BLOCKS):
        if not any(True for _ in element.iterancestors(*BLOCKS)):
            text = " ".join(element.text_content().split())
            if text:
                texts.append(text)
    return texts


def _first_paragraph_text(body: lxml.html.HtmlElement) -> str:
    first = body.find(".//p")
    return " ".join(first.text_content().split()) if first is not None else ""


def _drop_repeated_head(body: lxml.html.HtmlElement, title: str, lead: str) -> None:
    """The page's headline and standfirst are shown separately, so they must not open the body too."""
    repeated = {_normalised(title), _normalised(lead)} - {""}
    for element in list(body.iter(*BLOCKS))[:3]:
        if _normalised(element.text_content()) in repeated and element.getparent() is not None:
            element.drop_tree()


def _plain(html: str) -> str:
    if not html:
        return ""
    text = lxml.html.fragment_fromstring(html, create_parent="div").text_content()
    return " ".join(text.split())


def _split_authors(author: str | None) -> list[str]:
    return [name.strip() for name in re.split(r";|,| and | і | та ", author or "") if name.strip()]


def _parse_date(value: str | None) -> datetime | None:
    return structured.parse_datetime(value) if value else None
