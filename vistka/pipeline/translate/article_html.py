"""Translate article body HTML block by block, keeping the tags.

The body is a sequence of block elements (<p>, <h2>, <blockquote>, <li>, <figcaption>...). A
*unit* is an element with no block element inside it; each unit is translated as whole lines of
text (split at <br>), because translating the pieces between inline tags separately ("За даними",
"Укрінформу", ", уряд...") gives the model fragments instead of sentences.

Inline elements (links above all) are then put back: each one's text is also translated on its
own (in the same batch), and that translation is looked up in the translated line. Found: the
matching span is wrapped in a copy of the element (same href and attributes). Not found (the model
inflected or reordered it): a link is appended after the line in parentheses, so the link is never
lost; emphasis (<strong>, <em>...) is dropped, its words are already in the translated line.
An inline element that is the whole line (<li><a href>…</a></li>) wraps the whole translation.

Text outside units (loose text in a container) is translated as plain text. <pre>, <code> blocks,
<script> and <style> are left as they are. lxml escapes all text on output.
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import lxml.html
from lxml.html import HtmlElement

from .batch import SentenceBatch, Ticket
from .sentences import normalize_whitespace

BLOCK_TAGS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "li", "figcaption", "ul", "ol", "dl",
    "dt", "dd", "div", "section", "article", "main", "header", "footer", "aside", "figure",
    "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "pre", "hr",
})
UNTRANSLATED_TAGS = frozenset({"pre", "script", "style", "template", "svg", "math", "noscript"})
_PUNCTUATION = " .,;:!?\"'«»“”„()"

Render = Callable[[], None]


def plan_body_translation(body_html: str, batch: SentenceBatch) -> Callable[[], str]:
    """Queue the body's texts in `batch`; the returned function renders the translated HTML."""
    if not body_html.strip():
        return lambda: ""
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    renders: list[Render] = []
    _plan_element(root, batch, renders)

    def render() -> str:
        for apply in renders:
            apply()
        return _inner_html(root)

    return render


def _plan_element(element: HtmlElement, batch: SentenceBatch, renders: list[Render]) -> None:
    if element.tag in UNTRANSLATED_TAGS:
        return
    if not _has_block_inside(element):
        if normalize_whitespace(element.text_content()):
            renders.append(_plan_unit(element, batch))
        return
    _plan_loose_text(element, batch, renders)
    for child in element:
        if isinstance(child.tag, str):  # comments and processing instructions stay as they are
            _plan_element(child, batch, renders)


def _has_block_inside(element: HtmlElement) -> bool:
    return any(isinstance(node.tag, str) and node.tag in BLOCK_TAGS for node in element.iterdescendants())


def _plan_loose_text(container: HtmlElement, batch: SentenceBatch, renders: list[Render]) -> None:
    def plan(get: Callable[[], str | None], put: Callable[[str], None]) -> None:
        original = get() or ""
        if not original.strip():
            return
        ticket = batch.add(original)
        leading = original[:len(original) - len(original.lstrip())]
        trailing = original[len(original.rstrip()):]
        renders.append(lambda: put(leading + batch.text(ticket) + trailing))

    plan(lambda: container.text, lambda value: setattr(container, "text", value))
    for child in container:
        plan(lambda child=child: child.tail, lambda value, child=child: setattr(child, "tail", value))


@dataclass
class _Run:
    """A piece of a line: plain text (element is None) or an inline element with its text."""

    text: str
    element: HtmlElement | None = None
    ticket: Ticket = ()


@dataclass
class _Line:
    runs: list[_Run] = field(default_factory=list)
    ticket: Ticket = ()

    @property
    def text(self) -> str:
        return normalize_whitespace("".join(run.text for run in self.runs))


def _plan_unit(unit: HtmlElement, batch: SentenceBatch) -> Render:
    lines = _split_into_lines(unit)
    for line in lines:
        line.ticket = batch.add(line.text)
        for run in line.runs:
            if run.element is not None and not _is_whole_line(run, line):
                run.ticket = batch.add(run.text)

    def render() -> None:
        attributes = dict(unit.attrib)
        unit.clear(keep_tail=True)  # clear() also drops attributes: put them back
        unit.attrib.update(attributes)
        for index, line in enumerate(lines):
            if index:
                unit.append(unit.makeelement("br", {}))
            _render_line(unit, line, batch)

    return render


def _split_into_lines(unit: HtmlElement) -> list[_Line]:
    lines = [_Line()]
    _collect_runs(unit, lines)
    return lines


def _collect_runs(element: HtmlElement, lines: list[_Line]) -> None:
    if element.text:
        lines[-1].runs.append(_Run(element.text))
    for child in element:
        if child.tag == "br":
            lines.append(_Line())
        elif isinstance(child.tag, str):
            if child.tag != "a" and any(True for _ in child.iterdescendants("a", "br")):
                # Formatting around a link or a line break (<strong>see <a>…</a></strong>): keep the
                # link and the break, drop the formatting.
                _collect_runs(child, lines)
            else:
                lines[-1].runs.append(_Run(child.text_content(), child))
        if child.tail:
            lines[-1].runs.append(_Run(child.tail))


def _is_whole_line(run: _Run, line: _Line) -> bool:
    return normalize_whitespace(run.text) == line.text


def _render_line(parent: HtmlElement, line: _Line, batch: SentenceBatch) -> None:
    translated = batch.text(line.ticket)
    placements: list[tuple[int, int, HtmlElement]] = []
    unmatched_links: list[HtmlElement] = []
    cursor = 0
    text_seen = False
    for run in line.runs:
        if run.element is None:
            text_seen = text_seen or bool(run.text.strip())
            continue
        if not run.text.strip():  # an image or other element without text: keep it whole
            position = len(translated) if text_seen else 0
            placements.append((position, position, _detached_copy(run.element)))
        elif _is_whole_line(run, line):
            placements.append((0, len(translated), _shell(run.element, translated)))
        else:
            found = _find_case_insensitive(batch.text(run.ticket).strip(_PUNCTUATION), translated, cursor)
            if found:
                start, cursor = found
                placements.append((start, cursor, _shell(run.element, translated[start:cursor])))
            elif run.element.tag == "a":
                unmatched_links.append(_shell(run.element, batch.text(run.ticket) or run.text.strip()))
            text_seen = True
    _emit(parent, translated, sorted(placements, key=lambda placement: placement[0]), unmatched_links)


def _find_case_insensitive(needle: str, text: str, start: int) -> tuple[int, int] | None:
    # A regex rather than str.lower(): lower-casing can change lengths ("İ"), shifting positions.
    match = re.search(re.escape(needle), text[start:], re.IGNORECASE) if needle else None
    return (start + match.start(), start + match.end()) if match else None


def _emit(parent: HtmlElement, text: str, placements: list[tuple[int, int, HtmlElement]],
          unmatched_links: list[HtmlElement]) -> None:
    position = 0
    for start, end, element in placements:
        _append_text(parent, text[position:start])
        parent.append(element)
        position = end
    _append_text(parent, text[position:])
    for link in unmatched_links:
        _append_text(parent, " (")
        parent.append(link)
        _append_text(parent, ")")


def _shell(element: HtmlElement, text: str) -> HtmlElement:
    """A copy of the inline element's tag and attributes holding only `text`."""
    shell = element.makeelement(element.tag, dict(element.attrib))
    shell.text = text
    return shell


def _detached_copy(element: HtmlElement) -> HtmlElement:
    duplicate = copy.deepcopy(element)
    duplicate.tail = None
    return duplicate


def _append_text(parent: HtmlElement, text: str) -> None:
    if not text:
        return
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _inner_html(root: HtmlElement) -> str:
    children = "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
    return html.escape(root.text or "", quote=False) + children
