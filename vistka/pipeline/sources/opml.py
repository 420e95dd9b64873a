"""OPML import and export of the source list (OPML 2.0 outlines of type "rss").

vistka keeps each source's language in the standard `language` attribute and its licence mode in
a `licence` attribute, which other readers ignore.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from lxml import etree


class OpmlError(Exception):
    """The file is not usable OPML; the message says why."""


@dataclass
class Outline:
    name: str
    feed_url: str
    homepage: str = ""
    language: str = ""
    licence: str = ""


def read_opml(content: bytes) -> list[Outline]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as error:
        raise OpmlError(f"not well-formed XML: {error}") from None
    if root.tag != "opml":
        raise OpmlError(f"not an OPML file (its root element is <{root.tag}>)")
    outlines = []
    for node in root.iter("outline"):
        feed_url = (node.get("xmlUrl") or node.get("xmlurl") or "").strip()
        if not feed_url:
            continue  # a folder, or a non-feed outline
        name = (node.get("title") or node.get("text") or feed_url).strip()
        outlines.append(Outline(name, feed_url, (node.get("htmlUrl") or "").strip(),
                                (node.get("language") or "").strip().lower(), (node.get("licence") or "").strip()))
    return outlines


def write_opml(outlines: list[Outline], title: str) -> bytes:
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC))
    body = etree.SubElement(root, "body")
    for outline in outlines:
        attributes = {"type": "rss", "text": outline.name, "title": outline.name, "xmlUrl": outline.feed_url,
                      "htmlUrl": outline.homepage, "language": outline.language, "licence": outline.licence}
        etree.SubElement(body, "outline", {k: v for k, v in attributes.items() if v})
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
