"""Generic fallbacks: trafilatura's and htmldate's guesses, and a check of JSON-LD articleBody."""

from __future__ import annotations

import contextlib
import copy
import functools
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import lxml.html

from vistka.pipeline.extract import structured
from vistka.pipeline.extract.byline import byline
from vistka.pipeline.extract.decode import body_of
from vistka.pipeline.extract.rules import split_authors

log = logging.getLogger("vistka.extract")
WORD = re.compile(r"\w+")
MIN_ARTICLE_BODY_CHARS = 200
VISIBLE_SHARE = 0.9  # this much of articleBody must be on the page: a paywall's hidden full text is not
MISSED_SHARE = 0.1  # use articleBody only when the generic body misses more than this of it


class GenericMetadata:
    """trafilatura's and htmldate's metadata for a page, computed only when a field is still missing."""

    def __init__(self, tree: lxml.html.HtmlElement, url: str) -> None:
        self._tree, self._url = tree, url

    @functools.cached_property
    def _date(self) -> str:
        """htmldate's publication day from the page's markup, URL and timestamps. Its "extensive"
        search, which reads dates out of the free text, is not asked: on the real pages it costs
        ten times the rest of the date search (50-150 ms on one page in eight, and dateparser's
        first call takes seconds), and a date found in the text is as often one the article mentions.
        Without a date the article keeps its feed's or sitemap's, else the time we first saw it."""
        from htmldate import find_date

        try:
            return find_date(self._tree, extensive_search=False, original_date=True, url=self._url) or ""
        except (ValueError, OverflowError, TypeError) as error:
            # htmldate raises on some impossible dates in a page (an offset of +99:99); the page's other
            # metadata is then taken from elsewhere, and the page is not lost (issue 14).
            log.info("%s: generic date skipped: %s: %s", self._url, type(error).__name__, error)
            return ""

    @functools.cached_property
    def _head(self):
        """Title, author (from meta tags and JSON-LD) and image the way trafilatura.extract_metadata
        finds them, without its date search (htmldate), which costs several times the rest."""
        from trafilatura.metadata import examine_meta, extract_meta_json, extract_title

        found = examine_meta(self._tree)
        if found.author and " " not in found.author:  # trafilatura's own check: a single word is no name
            found.author = None
        with contextlib.suppress(Exception):  # trafilatura's JSON-LD reader fails on odd data; the rest counts
            found = extract_meta_json(self._tree, found)
        found.title = found.title or extract_title(self._tree)
        found.clean_and_trim()
        return found

    @functools.cached_property
    def _author(self) -> str:
        """The byline from the meta tags, else from the markup (byline.py: trafilatura's search in one
        walk), searched only when asked."""
        return " ".join((self._head.author or byline(self._tree)).split())

    @property
    def title(self) -> str:
        return self._head.title or ""

    @property
    def authors(self) -> list[str]:
        return split_authors(self._author)

    @property
    def image(self) -> str:
        return self._head.image or ""

    @property
    def published(self) -> datetime | None:
        """htmldate's day; it gives no time, so the day counts from midnight UTC."""
        day = structured.parse_datetime(self._date) if self._date else None
        return day.replace(tzinfo=UTC) if day and day.tzinfo is None else day


def article_body_paragraphs(article_body: str, tree: lxml.html.HtmlElement, extracted_text: str) -> list[str]:
    """articleBody's paragraphs when it is plausible and the generic body lost part of it, else []."""
    if len(article_body) < MIN_ARTICLE_BODY_CHARS:
        return []
    wanted = set(WORD.findall(article_body.casefold()))
    visible = set(WORD.findall(_visible_text(tree).casefold()))
    if len(wanted & visible) < VISIBLE_SHARE * len(wanted):
        return []
    got = set(WORD.findall(extracted_text.casefold()))
    if len(wanted - got) <= MISSED_SHARE * len(wanted):
        return []
    return [" ".join(part.split()) for part in re.split(r"\n\s*\n|\n", article_body) if part.strip()]


def shown_on_page(text: str, tree: lxml.html.HtmlElement, share: float = VISIBLE_SHARE) -> bool:
    """Whether most of the words of `text` are in the page's visible text (not only in its meta tags).
    The page is read only until enough of them are found: a standfirst is near the top."""
    wanted = set(WORD.findall(text.casefold()))
    if not wanted:
        return False
    needed, found = share * len(wanted), set()
    for piece in _visible_pieces(tree):
        found.update(word for word in WORD.findall(piece.casefold()) if word in wanted)
        if len(found) >= needed:
            return True
    return False


def _visible_text(tree: lxml.html.HtmlElement) -> str:
    return " ".join(_visible_pieces(tree))


def _visible_pieces(tree: lxml.html.HtmlElement) -> Iterator[str]:
    # One walk over the body: an XPath text() query with a predicate costs three times as much.
    body = body_of(tree)
    if body is None:
        return
    for element in body.iter():
        if element.text and isinstance(element.tag, str) and element.tag not in ("script", "style"):
            yield element.text
        if element.tail and element is not body:
            yield element.tail


HIDDEN_STYLES = ("display:none", "visibility:hidden")


def drop_hidden(tree: lxml.html.HtmlElement) -> None:
    """Elements a browser does not show (`hidden`, `display: none`) are no article text: tracking
    pixels, spare copies for other screen sizes, texts for pop-ups. What a script reveals stays: a
    hidden part holding most of the page's text, and the slides of a slideshow or the panes of tabs
    (hidden beside a shown sibling of their own kind)."""
    # Styles are read here, not in the XPath query: translate() on every element costs a millisecond.
    hidden = [element for element in tree.xpath("//body//*[@hidden or @style]") if _is_hidden(element)]
    if not hidden:
        return
    body = body_of(tree)
    total = len(body.text_content()) if body is not None else 0
    for element in hidden:
        if element.getparent() is not None and len(element.text_content()) < total / 2 \
                and not _shown_in_turn(element):
            element.drop_tree()


def _is_hidden(element: lxml.html.HtmlElement) -> bool:
    style = (element.get("style") or "").replace(" ", "")
    return element.get("hidden") is not None or any(hidden in style for hidden in HIDDEN_STYLES)


def _shown_in_turn(element: lxml.html.HtmlElement) -> bool:
    """A slide or a tab's pane: a sibling of the same tag and first class name is shown."""
    kind = (element.get("class") or "").split()[:1]
    parent = element.getparent()
    return bool(kind) and parent is not None and any(
        sibling is not element and sibling.tag == element.tag and (sibling.get("class") or "").split()[:1] == kind
        and not _is_hidden(sibling) for sibling in parent)


def unwrap_layout_tables(tree: lxml.html.HtmlElement) -> None:
    """Old CMSs lay pages out with tables; a "cell" holding the headline or several paragraphs is
    page structure, not data, and generic extraction reads it far better as plain blocks."""
    for table in list(tree.iter("table")):
        cells = table.xpath("./tr/td | ./tbody/tr/td | ./thead/tr/td | ./tr/th | ./tbody/tr/th")
        if not any(cell.find(".//h1") is not None or len(cell.findall(".//p")) >= 3 for cell in cells):
            continue
        for element in [table, *table.xpath("./tbody | ./thead | ./tfoot | ./tr | ./*/tr"), *cells]:
            element.tag = "div"


DATE_ONLY = re.compile(r"^[\d\s.:/,\-–—]+$")
# Sources come in any language: the same calls and notices in the languages of Europe and the Americas.
CALL_TO_ACTION = ("підпис", "підтрима", "передплат", "telegram", "subscribe", "newsletter", "sign up", "donate",
                  "подпис", "follow us", "abonn", "log in", "login", "register", "регістр", "регистр", "premium",
                  "suscrib", "suscríb", "suscripc", "síguenos", "siguenos", "únete", "assine", "inscreva",
                  "iscriviti", "seguici", "folgen sie uns", "folge uns", "zapisz się", "subskrypc")
# Closing lines of an outlet's template rather than of the article: comment rules, rights notices.
OUTLET_BOILERPLATE = ("leave a comment", "post a comment", "add a comment", "comments are closed", "comment policy",
                      "comments policy", "правила коментування", "залишити коментар", "оставить комментарий",
                      "all rights reserved", "усі права захищені", "всі права захищені", "все права защищены",
                      "report a typo", "found a mistake", "ctrl+enter", "ctrl + enter",
                      "keine kommentare", "kommentar schreiben", "alle rechte vorbehalten", "no hay comentarios",
                      "deja un comentario", "todos los derechos reservados", "aucun commentaire",
                      "laisser un commentaire", "tous droits réservés", "lascia un commento",
                      "tutti i diritti riservati", "wszelkie prawa zastrzeżone", "chroniony prawem autorskim")
# A credit line for the pictures, put after the text by many CMSs: it is about the lead picture or a
# gallery, not part of the article (a caption stays with its picture, see figures.py).
PICTURE_CREDIT_LABELS = ("photo:", "photos:", "photo credit", "foto:", "fotos:", "bild:", "bilder:", "titelbild:",
                         "beitragsbild:", "crédit photo", "crédits photo", "image:", "imagen:", "cover photo",
                         "фото:", "image illustrative")
SHORT_BLOCK_WORDS = 25
PROMO_WITHOUT_LINK_WORDS = 12  # longer closing lines that mention Telegram without a link are reporting
FOOTER_TAIL_WORDS = 40  # a © line starts the footer only when less than this much text follows it
SIGNUP_BOX_MAX_WORDS = 80


def is_signup_box(element: lxml.html.HtmlElement) -> bool:
    """Whether a part the page's paywall markup (JSON-LD hasPart, isAccessibleForFree: false) points
    at is clearly a teaser or sign-up box. Many sites mark the article itself as the paid part, so
    only a short box with a form, a button or sign-up wording qualifies."""
    text = " ".join(element.text_content().split()).lower()
    if len(text.split()) > SIGNUP_BOX_MAX_WORDS:
        return False
    has_controls = element.find(".//form") is not None or element.find(".//button") is not None
    return has_controls or any(word in text for word in CALL_TO_ACTION)


def trim_generic_noise(body: lxml.html.HtmlElement) -> None:
    """What generic extraction tends to keep around an article: date lines, footers, promo lines."""
    blocks = [child for child in body if isinstance(child.tag, str)]
    words = [len(block.text_content().split()) for block in blocks]
    for index, block in enumerate(blocks):
        text = " ".join(block.text_content().split())
        # A copyright line followed by little text starts the footer. One followed by the article is a
        # photo credit at its top: it stays with its picture.
        if text.startswith("©") and sum(words[index + 1:]) < FOOTER_TAIL_WORDS:
            for element in blocks[index:]:
                element.drop_tree()
            blocks = blocks[:index]
            break
        if text and DATE_ONLY.match(text):
            block.drop_tree()
    for block in reversed([b for b in blocks if b.getparent() is not None]):
        if block.tag == "figure":  # a picture put back after the closing lines does not end them
            continue
        if not _closing_boilerplate(block):
            break
        block.drop_tree()


def _closing_boilerplate(block: lxml.html.HtmlElement) -> bool:
    """A short closing line that promotes the outlet or states its rules (comments, rights)."""
    text = " ".join(block.text_content().split()).lower()
    if not text or len(text.split()) > SHORT_BLOCK_WORDS:
        return False
    if text.replace(" :", ":").startswith(PICTURE_CREDIT_LABELS):  # French typography: "Crédits photos :"
        return True
    promo_shaped = block.find(".//a") is not None or len(text.split()) <= PROMO_WITHOUT_LINK_WORDS
    return promo_shaped and any(word in text for word in (*CALL_TO_ACTION, *OUTLET_BOILERPLATE))


ANCHOR_BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre")
OUTSIDE_ARTICLE = ("nav", "header", "footer", "aside", "form")


def _anchor_key(element: lxml.html.HtmlElement, first_words: set[str] | None = None) -> str:
    # The first and the last words recognise a paragraph (a long list's whole text is not needed);
    # the first alone would confuse paragraphs that open alike, and pictures would pile up on one.
    text = element.text_content().replace("\xad", "").casefold()
    if first_words is not None:  # a page block that opens unlike every body block matches none of them
        first = WORD.search(text, 0, 300)
        if first is None or first.group() not in first_words:
            return ""
    head = " ".join(WORD.findall(text[:300]))[:80]
    tail = " ".join(WORD.findall(text[-300:]))[-40:] if len(text) > 300 or len(head) >= 80 else ""
    return f"{head}|{tail}" if tail else head


def restore_images(body: lxml.html.HtmlElement, page: lxml.html.HtmlElement) -> None:
    """Put the page's pictures back into a body taken without them (trafilatura chooses its text
    better so), each after the paragraph it followed on the page, or before the one it preceded."""
    anchors: dict[str, tuple[lxml.html.HtmlElement, lxml.html.HtmlElement]] = {}  # key: (top block, block)
    for block in body.iter(*ANCHOR_BLOCKS):
        key = _anchor_key(block)
        if key and key not in anchors:
            top = block
            while top.getparent() is not None and top.getparent() is not body:
                top = top.getparent()
            anchors[key] = (top, block)
    page_body = body_of(page)
    if not anchors or page_body is None:
        return
    # Each page block's key once: reading them is most of this step's time on long pages. Only the
    # blocks that open with the first word of a body block can match one: the others' keys are not made.
    first_words = {key.split(" ", 1)[0].split("|", 1)[0] for key in anchors}
    keys = {block: key for block in page_body.iter(*ANCHOR_BLOCKS) if (key := _anchor_key(block, first_words))}
    _restore_links(keys, anchors)
    if page_body.find(".//img") is None:
        return
    events: list[tuple[str, object]] = []
    for element in page_body.iter("img", "figure", *ANCHOR_BLOCKS):
        if element.tag in ("img", "figure"):
            in_figure = element.tag == "img" and any(True for _ in element.iterancestors("figure"))
            empty_figure = element.tag == "figure" and element.find(".//img") is None
            if in_figure or empty_figure or _pixel(element) \
                    or any(True for _ in element.iterancestors(*OUTSIDE_ARTICLE, "noscript")):
                continue
            events.append(("picture", element))
        elif key := keys.get(element):
            events.append(("block", key))
    _place_pictures(events, {key: top for key, (top, _) in anchors.items()})


def _pixel(picture: lxml.html.HtmlElement) -> bool:
    """A tracking pixel or spacer: sized 0 or 1, in attributes or style."""
    image = picture if picture.tag == "img" else picture.find(".//img")
    style = (image.get("style") or "").replace(" ", "")
    return image.get("width") in ("0", "1") or image.get("height") in ("0", "1") \
        or "height:0" in style or "width:0" in style or "height:1px" in style


def _place_pictures(events: list[tuple[str, object]], anchors: dict[str, lxml.html.HtmlElement]) -> None:
    placed: set[str] = set()
    last_anchor = None
    waiting: list[lxml.html.HtmlElement] = []  # pictures seen before any kept paragraph
    for kind, value in events:
        if kind == "block":
            anchor = anchors.get(value)
            if anchor is not None:
                for picture in waiting:
                    _insert(picture, anchor, before=True, placed=placed)
                waiting, last_anchor = [], anchor
            continue
        if last_anchor is not None:
            inserted = _insert(value, last_anchor, before=False, placed=placed)
            last_anchor = inserted if inserted is not None else last_anchor
        else:
            waiting.append(value)


def _insert(picture: lxml.html.HtmlElement, anchor: lxml.html.HtmlElement, *, before: bool,
            placed: set[str]) -> lxml.html.HtmlElement | None:
    image = picture if picture.tag == "img" else picture.find(".//img")
    source = (image.get("src") or image.get("data-src") or "") if image is not None else ""
    if not source or source in placed:
        return None
    placed.add(source)
    copy_ = copy.deepcopy(picture)  # the page's own element stays where it is
    copy_.tail = None
    if copy_.tag == "img":
        figure = lxml.html.Element("figure")
        figure.append(copy_)
        copy_ = figure
    if before:
        anchor.addprevious(copy_)
    else:
        anchor.addnext(copy_)
    return copy_


def _restore_links(keys: dict[lxml.html.HtmlElement, str],
                   anchors: dict[str, tuple[lxml.html.HtmlElement, lxml.html.HtmlElement]]) -> None:
    """Links back into a body taken without them: each page paragraph kept in the body gives its
    links to the same words there. `keys`: each page block's anchor key."""
    for block, key in keys.items():
        if key not in anchors:  # most page blocks are not in the body: their links are not read
            continue
        links = [(a.get("href"), " ".join(a.text_content().split())) for a in block.iter("a") if a.get("href")]
        if not links:
            continue
        target = anchors[key][1]
        for href, text in links:
            if len(text) >= 2:
                _wrap_words(target, text, href)


def _wrap_words(block: lxml.html.HtmlElement, words: str, href: str) -> None:
    """Wrap the first plain-text occurrence of `words` in block (not inside a link already)."""
    slots = [(block, "text")] + [(child, "tail") for child in block if child.tag != "a"]
    for element, slot in slots:
        text = getattr(element, slot) or ""
        at = text.find(words)
        if at < 0:
            continue
        link = lxml.html.Element("a", href=href)
        link.text, link.tail = words, text[at + len(words):]
        setattr(element, slot, text[:at])
        if slot == "text":
            element.insert(0, link)
        else:
            element.addnext(link)
        return
