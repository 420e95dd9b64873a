"""Read an article's fields from a page with a rule's selectors."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import lxml.html

from vistka.pipeline.extract.structured import parse_datetime
from vistka.rules import Rule

# Attributes that hold a field's value more reliably than the element's visible text.
VALUE_ATTRIBUTES = {"published": ("datetime", "content"), "updated": ("datetime", "content"),
                    "image": ("src", "data-src", "content", "href"), "title": ("content",),
                    "lead": ("content",), "authors": ("content",)}
AUTHOR_LABEL = re.compile(r"^\s*(?:by|автор(?:и|ка)?|текст|author(?:s)?)\s*[:\-–—]?\s*", re.IGNORECASE)
AUTHOR_SEPARATORS = re.compile(r"\s*(?:,|;|\band\b|\bі\b|\bта\b|\bи\b|&)\s*")


def remove_unwanted(tree: lxml.html.HtmlElement, rule: Rule) -> None:
    for index in range(len(rule.remove)):
        for element in tree.xpath(rule.xpaths[f"remove[{index}]"]):
            if element.getparent() is not None:
                element.drop_tree()


def select(tree: lxml.html.HtmlElement, rule: Rule, key: str) -> list[lxml.html.HtmlElement]:
    xpath = rule.xpaths.get(key)
    return tree.xpath(xpath) if xpath else []


def text_value(tree: lxml.html.HtmlElement, rule: Rule, key: str) -> str:
    for element in select(tree, rule, key):
        value = _value(element, key)
        if value:
            return value
    return ""


def date_value(tree: lxml.html.HtmlElement, rule: Rule, key: str) -> datetime | None:
    raw = text_value(tree, rule, key)
    if not raw:
        return None
    parsed = parse_datetime(raw)
    if parsed is None and rule.date_format:
        parsed = _parse_with_format(raw, rule.date_format)
    if parsed is not None and parsed.tzinfo is None and rule.timezone:
        parsed = parsed.replace(tzinfo=ZoneInfo(rule.timezone))
    return parsed


def authors_value(tree: lxml.html.HtmlElement, rule: Rule) -> list[str]:
    names: list[str] = []
    for element in select(tree, rule, "authors"):
        for name in split_authors(_value(element, "authors")):
            if name not in names:
                names.append(name)
    return names


def image_value(tree: lxml.html.HtmlElement, rule: Rule, url: str) -> str:
    value = text_value(tree, rule, "image")
    return urljoin(url, value) if value else ""


def split_authors(text: str) -> list[str]:
    """ "By A and B", "Автори: А, Б" -> ["A", "B"]."""
    text = AUTHOR_LABEL.sub("", " ".join(text.split()))
    return [name for name in (part.strip(" .") for part in AUTHOR_SEPARATORS.split(text)) if name]


def _value(element: lxml.html.HtmlElement, key: str) -> str:
    if not isinstance(element, lxml.html.HtmlElement):
        return " ".join(str(element).split())  # an XPath text() or @attribute result
    for attribute in VALUE_ATTRIBUTES.get(key, ()):
        if element.get(attribute):
            return element.get(attribute).strip()
    return " ".join(element.text_content().split())


def _parse_with_format(raw: str, date_format: str) -> datetime | None:
    # Pages often wrap the date in words ("Опубліковано 27.01.2025 14:35"); try each word window.
    words = raw.split()
    width = len(date_format.split())
    for start in range(len(words) - width + 1):
        try:
            return datetime.strptime(" ".join(words[start:start + width]), date_format)
        except ValueError:
            continue
    return None
