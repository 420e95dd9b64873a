"""Extract stage: an article page in, its title, metadata, clean body and "Read also" links out.

Metadata fields are taken from the first source that has them, in a fixed order (docs/extraction.md):
the outlet's rule (rules/rules.yaml, or the source's own override), the page's structured data
(JSON-LD NewsArticle, then OpenGraph/meta tags), trafilatura/htmldate's generic extraction,
then the feed entry. The body is chosen among candidates on evidence (candidates.py).
`Extracted.method` records, per field, which one won (and for the body, why).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

import lxml.etree
import lxml.html
import trafilatura
from trafilatura.htmlprocessing import build_html_output

from vistka.pipeline.extract import candidates, figures, structured
from vistka.pipeline.extract import rules as by_rule
from vistka.pipeline.extract.body import Body, clean_body
from vistka.pipeline.extract.decode import body_of, page_base, parse_page
from vistka.pipeline.extract.fallback import (
    GenericMetadata,
    article_body_paragraphs,
    drop_hidden,
    is_signup_box,
    restore_images,
    shown_on_page,
    trim_generic_noise,
    unwrap_layout_tables,
)
from vistka.pipeline.extract.readalso import READ_ALSO_PREFIXES, pop_read_also_blocks
from vistka.pipeline.sources import FeedEntry, dates
from vistka.rules import Rule, RuleError, remove_selected, rule_for

__all__ = ["READ_ALSO_PREFIXES", "Extracted", "ExtractionError", "extract_article", "pop_read_also_blocks"]


class ExtractionError(Exception):
    """The page has no recognisable article."""


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
    warnings: list[str] = field(default_factory=list)  # e.g. dates ignored as impossible (dates.py)
    doubt: str = ""  # why no body candidate was convincing: the article then waits for an editor


def extract_article(html: str | bytes, url: str, entry: FeedEntry | None = None, *,
                    encoding: str | None = None, rule_override: dict | None = None,
                    use_rules: bool = True, timezone: str = "") -> Extracted:
    """Extract one article page; `entry` (its feed item) fills fields the page lacks.

    `encoding` is the charset the server declared; `rule_override` the source's own rule fields.
    `use_rules=False` measures the generic path alone. `timezone`: the source's, for dates without one.
    """
    try:
        tree = parse_page(html, url, encoding)
    except ValueError as error:
        raise ExtractionError(f"{url}: {error}") from None
    page_url, url = url, page_base(tree, url)
    figures.prepare_images(tree, url)  # lazy-loaded pictures get their address, captions ride on them
    try:
        rule = rule_for(page_url, rule_override) if use_rules else None
    except RuleError as error:
        raise ExtractionError(f"the source's extraction rule is invalid: {error}") from None
    meta = structured.read_metadata(tree)
    generic = GenericMetadata(tree, url)
    read_also = pop_read_also_blocks(tree, url)
    extracted = Extracted(title="", body_html="", text="", read_also=read_also, keywords=meta.keywords,
                          entities=meta.entities)
    _choose_metadata(extracted, tree, rule, meta, generic, entry, url, (rule.timezone if rule else "") or timezone)
    # Paywall markup often marks the whole article as the paid part: only a sign-up box goes.
    remove_selected(tree, meta.hidden_selectors, only=is_signup_box)
    if rule:
        by_rule.remove_unwanted(tree, rule)
    _choose(extracted, "lead", [("rule", by_rule.text_value(tree, rule, "lead") if rule else ""),
                                ("feed", _plain(entry.summary) if entry else ""),
                                # a description the page does not show is a search engine's blurb, not a standfirst
                                ("meta", lambda: meta.description if shown_on_page(meta.description, tree) else "")])
    body = _choose_body(extracted, tree, rule, meta, url)
    extracted.body_html, extracted.text = body.html, body.text
    _choose(extracted, "lead", [("body", body.first_paragraph)])
    return extracted


def _choose_metadata(extracted: Extracted, tree: lxml.html.HtmlElement, rule: Rule | None,
                     meta: structured.PageMetadata, generic: GenericMetadata, entry: FeedEntry | None,
                     url: str, timezone: str = "") -> None:
    ruled = _rule_fields(tree, rule, url)
    _choose(extracted, "title", [("rule", ruled.get("title")), (meta.source("title"), meta.title),
                                 ("trafilatura", lambda: generic.title), ("feed", entry.title if entry else "")])
    if extracted.method.get("title") != "rule":
        extracted.title = candidates.without_site_name(extracted.title, meta.site_name, url)
    # A JSON-LD article without an author means the page names none: no guessing from the text then.
    # The feed's byline is the outlet's own word, like its date: it goes before trafilatura's guess,
    # which reads any element classed "author" (other articles' bylines too).
    _choose(extracted, "authors", [("rule", ruled.get("authors")), (meta.source("authors"), meta.authors),
                                   ("feed", entry.authors if entry else []),
                                   ("trafilatura", lambda: [] if meta.has_article else generic.authors)])
    # Every date goes through dates.py: an impossible one is skipped (with a warning) for the next.
    _choose_date(extracted, "published", [("rule", ruled.get("published")),
                                          (meta.source("published"), meta.published),
                                          ("feed", entry.published if entry else None),
                                          ("htmldate", lambda: generic.published)], timezone)
    # Many CMSs fill dateModified with the publication time; that is not an update.
    updates = [("rule", ruled.get("updated")), (meta.source("updated"), meta.updated)]
    _choose_date(extracted, "updated", [(method, value) for method, value in updates
                                        if dates.normalise_date(value, timezone) != extracted.published],
                 timezone)
    _choose(extracted, "image", [("rule", ruled.get("image")), (meta.source("image"), _absolute(url, meta.image)),
                                 ("trafilatura", lambda: _absolute(url, generic.image))])


def _rule_fields(tree: lxml.html.HtmlElement, rule: Rule | None, url: str) -> dict:
    if rule is None:
        return {}
    return {"title": by_rule.text_value(tree, rule, "title"), "authors": by_rule.authors_value(tree, rule),
            "published": by_rule.date_value(tree, rule, "published"),
            "updated": by_rule.date_value(tree, rule, "updated"), "image": by_rule.image_value(tree, rule, url)}


def _choose_body(extracted: Extracted, tree: lxml.html.HtmlElement, rule: Rule | None,
                 meta: structured.PageMetadata, url: str) -> Body:
    """The rule's container when it has text; else the best-supported generic candidate."""
    head = {"title": extracted.title, "lead": extracted.lead, "lead_image": extracted.image}
    containers = by_rule.select(tree, rule, "body") if rule else []
    if containers:
        body = clean_body(containers[0], url, **head)
        if body.text:
            extracted.method["body"] = "rule"
            return body
    drop_hidden(tree)
    unwrap_layout_tables(tree)
    # trafilatura resolves page-relative links ("other.html") against the site root, not the page
    # (nor its <base>); resolve those first. Absolute and root-relative links it handles itself.
    for element, attribute in _page_relative_links(tree):
        element.set(attribute, urljoin(url, element.get(attribute).strip()))
    found = [candidates.Candidate("trafilatura", *_cleaned(_trafilatura_body(tree, url), url, head))]
    paragraphs = article_body_paragraphs(meta.article_body, tree, found[0].body.text if found[0].body else "")
    if paragraphs:
        found.append(candidates.Candidate("json-ld", *_cleaned(_paragraphs_element(paragraphs), url, head)))
    evidence = candidates.Evidence(title=extracted.title, description=meta.description)
    if not any(candidates.convincing(candidate, evidence) for candidate in found):
        # Last reader of the tree: readability rewrites what it reads (trafilatura worked on its own copy).
        found.append(candidates.Candidate("readability", *_cleaned(_readability_body(tree), url, head)))
    chosen, why, doubt = candidates.choose(found, evidence)
    if chosen is None:
        raise ExtractionError(f"no article text found on {url}")
    extracted.method["body"], extracted.method["body_reason"], extracted.doubt = chosen.method, why, doubt
    return chosen.body


def _cleaned(container: lxml.html.HtmlElement | None, url: str, head: dict) -> tuple[Body | None, float, str]:
    """The candidate's clean body, its link density (share of its words inside links), its raw text."""
    if container is None:
        return None, 0.0, ""
    text = container.text_content()
    return clean_body(container, url, **head), candidates.link_density(container, text), text


TRAFILATURA_OPTIONS = {
    # trafilatura's defaults measure best on the real corpora (make eval-extract-real): asking it to
    # keep links, formatting or images changes which text it takes, for the worse. Pictures and links
    # are put back afterwards, by the paragraphs they stood in or by (fallback.restore_images).
    "include_comments": False, "include_tables": True,
}


def _trafilatura_body(tree: lxml.html.HtmlElement, url: str) -> lxml.html.HtmlElement | None:
    document = trafilatura.bare_extraction(tree, url=url, with_metadata=False, output_format="python",
                                           **TRAFILATURA_OPTIONS)
    if document is None or document.body is None:
        return None
    body = body_of(lxml.html.document_fromstring(build_html_output(document)))
    if body is None:
        return None
    # Links first: a closing promo line is told by its link ("Follow us on Telegram"), and
    # trafilatura's text has none until they are put back.
    restore_images(body, tree)
    trim_generic_noise(body)
    return body


def _readability_body(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """readability-lxml's article, the candidate for pages trafilatura reads badly."""
    from readability import Document

    try:
        summary = Document(tree).summary(html_partial=True)
    except Exception:  # noqa: BLE001 - readability fails on odd pages in many ways; that is no candidate
        return None
    if not summary or not summary.strip():
        return None
    body = lxml.html.fragment_fromstring(summary, create_parent="div")
    while len(body) == 1 and body[0].tag == "div":  # readability wraps the article in its own divs
        body = body[0]
    trim_generic_noise(body)
    return body


def _page_relative_links(tree: lxml.html.HtmlElement) -> list[tuple[lxml.html.HtmlElement, str]]:
    handled = ("http://", "https://", "/", "#", "mailto:", "tel:", "data:", "javascript:")
    links = [(anchor, "href") for anchor in tree.iterfind(".//a[@href]")]
    links += [(image, "src") for image in tree.iterfind(".//img[@src]")]
    return [(element, attribute) for element, attribute in links
            if not element.get(attribute).strip().lower().startswith(handled)]


def _paragraphs_element(paragraphs: list[str]) -> lxml.html.HtmlElement:
    container = lxml.html.Element("div")
    for text in paragraphs:
        lxml.etree.SubElement(container, "p").text = text
    return container


def _choose(extracted: Extracted, name: str, candidates: list[tuple[str, object]]) -> None:
    """Set the field from the first candidate that has a value; record which one it was."""
    if getattr(extracted, name):
        return
    for method, value in candidates:
        value = value() if callable(value) else value  # costly generic guesses run only when needed
        if value:
            setattr(extracted, name, value)
            extracted.method[name] = method
            return


def _choose_date(extracted: Extracted, name: str, candidates: list[tuple[str, object]], timezone: str) -> None:
    # The page's own offset is kept: the same instant, but the outlet's local day (docs/extraction.md).
    found = dates.first_date(candidates, timezone, warnings=extracted.warnings, keep_offset=True)
    if found is not None:
        setattr(extracted, name, found[1])
        extracted.method[name] = found[0]


def _absolute(url: str, link: str) -> str:
    return urljoin(url, link) if link else ""


def _plain(html: str) -> str:
    if not html or not html.strip():
        return ""
    text = lxml.html.fragment_fromstring(html, create_parent="div").text_content()
    return " ".join(text.split())
