"""In-body pictures, from the outlet's markup to figures that show our own copies.

Three steps, at three points of the pipeline:

1. `prepare_images(tree, url)`, on the page before any extraction: lazy-loaded pictures get their
   real address (`<noscript>` copies, `srcset`/`data-srcset`/`<picture>` sources, `data-src` and
   kin, in that order of trust), and each picture's caption and credit (a `<figcaption>`, or an
   element marked as caption/credit next to it) travel *on* the `<img>` itself, in a marked
   `title`: generic extraction keeps an image's title but tears captions away from their image.
2. `build_figures(body)`, in body.py on the chosen body: a marked title becomes the picture's
   `<figure>`/`<figcaption>` again.
3. `localise_images(body_html, store)`, before the article is stored: every picture is replaced by
   our stored copy (with `srcset`); a picture that cannot be stored leaves with its figure, caption
   and credit, so nothing is left broken or standing alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import islice
from urllib.parse import urljoin

import lxml.etree
import lxml.html

from vistka.pipeline.extract.images import ARTICLE_SIZES, StoredImage
from vistka.pipeline.extract.sanitize import sanitize_html

CAPTION_MARK = "\u2063"  # INVISIBLE SEPARATOR: opens a title that carries our caption, not the outlet's
SRCSET_ATTRIBUTES = ("data-srcset", "data-lazy-srcset", "data-original-set", "srcset")
LAZY_SRC_ATTRIBUTES = ("data-src", "data-lazy-src", "data-original", "data-lazy", "data-url", "data-hi-res-src",
                       "data-full-src", "data-orig-file", "datasrc", "data-image", "data-img-src")
CAPTION_CLASS = re.compile(r"caption|credit|copyright|photographer|(?:image|photo|img|picture)[-_]?(?:source|author)",
                           re.IGNORECASE)
HIDDEN_CLASS = re.compile(r"off-?screen|visually-?hidden|sr-only|screen-?reader", re.IGNORECASE)
WRAPPER_LEVELS = 4  # how far up from a picture a figure-like wrapper (a caption-classed box) may be
FIGURE_LEVELS = 8  # and its <figure> (players nest pictures deeply)
HOLDER_ELEMENTS = 80  # a figure-like wrapper is small: bigger ones are sections of the page
MAX_CAPTION_CHARS = 600  # longer "captions" are article text that happens to sit in a caption box
TARGET_WIDTH = 1280  # the srcset candidate wanted: the smallest at least this wide, else the widest
# Compiled once: asked around every picture of every page, a query given as a string is compiled anew
# on each call.
COUNT_ELEMENTS = lxml.etree.XPath("count(.//*)")
CLASSED = lxml.etree.XPath(".//*[@class]")
CAPTION_BOX_CANDIDATES = lxml.etree.XPath(".//figcaption | .//*[@class or @itemprop]")


def prepare_images(tree: lxml.html.HtmlElement, url: str) -> None:
    """Give every picture on the page its real address and its caption (see the module's docstring)."""
    _use_noscript_copies(tree)
    for image in list(tree.iter("img")):
        address = real_address(image, url)
        if not address or _declared_tiny(image):
            image.drop_tree()  # a placeholder without a real picture, or a tracking pixel
            continue
        for attribute in (*SRCSET_ATTRIBUTES, *LAZY_SRC_ATTRIBUTES, "sizes", "title"):
            image.attrib.pop(attribute, None)
        image.set("src", address)
        _carry_caption(image)


def real_address(image: lxml.html.HtmlElement, url: str) -> str:
    """The picture's own address: the best srcset candidate, else a lazy-load attribute, else src."""
    candidates = []
    picture = image.getparent() if image.getparent() is not None and image.getparent().tag == "picture" else None
    for element in [image, *(picture.iterfind("source") if picture is not None else [])]:
        for attribute in SRCSET_ATTRIBUTES:
            candidates += parse_srcset(element.get(attribute, ""))
    best = best_candidate(candidates)
    if best:
        return _absolute(url, best)
    for attribute in (*LAZY_SRC_ATTRIBUTES, "src"):
        value = (image.get(attribute) or "").strip()
        if _usable(value):
            return _absolute(url, value)
    return ""


def parse_srcset(value: str) -> list[tuple[str, float, str]]:
    """(address, number, unit) of each candidate of a srcset; unit 'w' (width) or 'x' (density)."""
    candidates = []
    if not value:
        return candidates
    # Candidates are separated by a comma *followed by whitespace* (addresses may hold commas).
    for part in re.split(r",\s+", value.strip()):
        pieces = part.strip().rstrip(",").split()
        if not pieces or not _usable(pieces[0]):
            continue
        descriptor = pieces[1].lower() if len(pieces) > 1 else "1x"
        match = re.fullmatch(r"(\d+(?:\.\d+)?)([wx])", descriptor)
        if match:
            candidates.append((pieces[0], float(match.group(1)), match.group(2)))
    return candidates


def best_candidate(candidates: list[tuple[str, float, str]]) -> str:
    widths = sorted((number, address) for address, number, unit in candidates if unit == "w")
    if widths:
        wide_enough = [address for number, address in widths if number >= TARGET_WIDTH]
        return wide_enough[0] if wide_enough else widths[-1][1]
    densities = sorted((number, address) for address, number, unit in candidates)
    return densities[-1][1] if densities else ""


def _declared_tiny(image: lxml.html.HtmlElement) -> bool:
    """A picture that says it is at most 2 px on a side (a tracking pixel, a spacer): never fetched."""
    return any((image.get(side) or "").strip() in ("0", "1", "2", "0px", "1px", "2px") for side in ("width", "height"))


def _usable(value: str) -> bool:
    return bool(value) and not value.lower().startswith(("data:", "javascript:", "about:")) and "{" not in value


def _absolute(url: str, value: str) -> str:
    return urljoin(url, value.strip())


def _use_noscript_copies(tree: lxml.html.HtmlElement) -> None:
    """A <noscript> copy is the picture a script would have loaded: it replaces the placeholders
    beside it (a blurred thumbnail, an <img> without src) and takes their place."""
    for noscript in list(tree.iter("noscript")):
        copies = list(noscript.iter("img"))
        parent = noscript.getparent()
        if not copies or parent is None or not _only_pictures(noscript, copies):
            continue
        for placeholder in _placeholders_beside(noscript):
            placeholder.drop_tree()
        for copy in copies:
            noscript.addprevious(copy)
        noscript.drop_tree()


def _only_pictures(noscript: lxml.html.HtmlElement, copies: list) -> bool:
    """A picture's <noscript> copy holds a few images and little else; a broken page can leave a
    <noscript> open around the whole article, which must stay as it is."""
    return len(copies) <= 3 and len(_bare_text(noscript)) <= MAX_CAPTION_CHARS \
        and COUNT_ELEMENTS(noscript) <= HOLDER_ELEMENTS


def _placeholders_beside(noscript: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The other <img> of the noscript's wrapper, when that wrapper is only a picture holder (no text,
    at most a few images); otherwise only an <img> right before it that has no usable src."""
    parent = noscript.getparent()
    others = [image for image in parent.iter("img") if not any(a is noscript for a in image.iterancestors())]
    text = "".join(parent.itertext()) if len(others) <= 3 else "text"
    copy_text = "".join(noscript.itertext())
    if not text.replace(copy_text, "").strip():
        return others
    previous = noscript.getprevious()
    if previous is not None and previous.tag == "img" and not _usable(previous.get("src", "")):
        return [previous]
    return []


def _carry_caption(image: lxml.html.HtmlElement) -> None:
    """Move the picture's caption and credit out of the page into the image's marked title."""
    parts = _caption_elements(image)
    texts = []
    for element in parts:
        for hidden in CLASSED(element):
            if HIDDEN_CLASS.search(hidden.get("class", "")) and hidden.getparent() is not None:
                hidden.drop_tree()  # "Media caption", "Image source," — labels for screen readers
        text = " ".join(element.text_content().split())
        if text and text not in texts:
            texts.append(text)
    caption = " ".join(texts)
    if not caption or len(caption) > MAX_CAPTION_CHARS:
        return
    for element in parts:
        if element.getparent() is not None:
            element.drop_tree()
    image.set("title", CAPTION_MARK + caption)


def _caption_elements(image: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The caption/credit elements of the picture's figure, or of a wrapper that holds only this
    picture and its captions, or else the caption-classed element right after the picture."""
    wrapper = _wrapper(image)
    if wrapper is not None:
        return _boxes_within(wrapper, image)
    holder = image
    while holder.getnext() is None and holder.getparent() is not None and len(holder.getparent()) == 1 \
            and not _bare_text(holder.getparent()):
        holder = holder.getparent()
    follower = holder.getnext()
    return [follower] if follower is not None and _is_caption_box(follower) else []


def _wrapper(image: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    for level, ancestor in enumerate(image.iterancestors()):
        if level >= FIGURE_LEVELS or ancestor.tag in ("body", "article", "main", "section"):
            return None
        if next(islice(ancestor.iter("img"), 1, None), None) is not None:
            return None  # a second picture: this is no longer one picture's wrapper
        if ancestor.tag == "figure":
            return ancestor
        if level >= WRAPPER_LEVELS or COUNT_ELEMENTS(ancestor) > HOLDER_ELEMENTS:
            continue
        within = _boxes_within(ancestor, image)
        if within and len(_bare_text(ancestor)) == sum(len(_bare_text(box)) for box in within):
            return ancestor  # a picture holder: nothing in it but the picture and its captions
    return None


def _boxes_within(wrapper: lxml.html.HtmlElement, image: lxml.html.HtmlElement) -> list:
    found = [element for element in CAPTION_BOX_CANDIDATES(wrapper)
             if _is_caption_box(element) and not _holds(element, image)]
    return [box for box in found if not any(ancestor in found for ancestor in box.iterancestors())]


def _is_caption_box(element: lxml.html.HtmlElement) -> bool:
    if not isinstance(element.tag, str) or element.tag in ("img", "picture", "source", "script", "style"):
        return False
    return element.tag == "figcaption" or bool(CAPTION_CLASS.search(f"{element.get('class', '')} "
                                                                    f"{element.get('itemprop', '')}"))


def _holds(element: lxml.html.HtmlElement, image: lxml.html.HtmlElement) -> bool:
    return any(ancestor is element for ancestor in image.iterancestors())


def _bare_text(element: lxml.html.HtmlElement) -> str:
    """The element's text without any whitespace (its own tail excluded)."""
    return re.sub(r"\s+", "", "".join(element.itertext()))


def build_figures(body: lxml.html.HtmlElement) -> None:
    """Each picture that carries a caption becomes <figure><img><figcaption> in the body's flow."""
    for image in list(body.iter("img")):
        title = image.attrib.pop("title", "")
        caption = title[1:] if title.startswith(CAPTION_MARK) else ""
        if not caption:
            continue
        figure = next(image.iterancestors("figure"), None)
        if figure is None:
            figure = _figure_in_place_of(image, body)
        if figure.find(".//figcaption") is None:
            lxml.etree.SubElement(figure, "figcaption").text = caption


def _figure_in_place_of(image: lxml.html.HtmlElement, body: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A new figure holding image, where image stood: it replaces what held only the image (a link,
    a paragraph), and goes right after a paragraph that also holds text (a figure is a block)."""
    holder = _lone_holder(image, body)
    paragraph = next((p for p in holder.iterancestors("p") if _within(p, body)), None)
    figure = lxml.html.Element("figure")
    if paragraph is None:
        holder.addprevious(figure)
    else:
        paragraph.addnext(figure)
    _lift_out(holder)
    image.tail = None
    figure.append(image)
    return figure


def _lone_holder(image: lxml.html.HtmlElement, body: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The outermost element around image that holds nothing else (image itself if none)."""
    holder = image
    while True:
        parent = holder.getparent()
        if parent is None or parent is body or parent.tag not in ("p", "a", "span", "div", "picture", "center"):
            return holder
        if len(parent) != 1 or (parent.text or "").strip() or (holder.tail or "").strip():
            return holder
        holder = parent


def _within(element: lxml.html.HtmlElement, body: lxml.html.HtmlElement) -> bool:
    return element is not body and any(ancestor is body for ancestor in element.iterancestors())


def _lift_out(element: lxml.html.HtmlElement) -> None:
    """Take element out of the tree, leaving its tail text where it was."""
    marker = lxml.html.Element("span")
    marker.tail, element.tail = element.tail, None
    element.addprevious(marker)
    element.getparent().remove(element)
    marker.drop_tree()


def localise_images(body_html: str, store: Callable[[str], StoredImage | None],
                    skip: set[str] = frozenset(), limit: int = 20) -> str:
    """Every picture of the body replaced by our stored copy. One that `store` cannot give (None),
    whose copy is in `skip` (the lead picture, shown above the body) or already shown, or beyond the
    first `limit`, leaves with its figure, caption and credit. The result is sanitised again."""
    if "<img" not in body_html:
        return body_html
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    shown = set(skip)
    for number, image in enumerate(list(root.iter("img"))):
        if not any(ancestor is root for ancestor in image.iterancestors()):
            continue  # it left with an earlier picture's figure (one figure, several pictures)
        if number >= limit:
            _drop_picture(image)
            continue
        source = image.get("src", "").strip()
        if source.startswith("/media/"):  # ours already (a body stored before, an edit)
            name = source[len("/media/"):]
            if name in shown:
                _drop_picture(image)
            shown.add(name)
            continue
        stored = store(source) if source else None
        if stored is None or stored.name in shown:
            _drop_picture(image)
            continue
        shown.add(stored.name)
        _show_stored(image, stored)
    return sanitize_html((root.text or "") + "".join(lxml.html.tostring(child, encoding="unicode") for child in root))


def picture_sources(body_html: str, limit: int = 20) -> list[str]:
    """The addresses `localise_images` may ask `store` for, in its order (each once): the outlet's
    pictures among the body's first `limit`. Lets them be copied before the body is localised (a
    picture that then leaves with an earlier picture's figure was copied for nothing: rare)."""
    if "<img" not in body_html:
        return []
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    sources: list[str] = []
    for image in islice(root.iter("img"), limit):
        source = image.get("src", "").strip()
        if source and not source.startswith("/media/") and source not in sources:
            sources.append(source)
    return sources


def _show_stored(image: lxml.html.HtmlElement, stored: StoredImage) -> None:
    alt = image.get("alt")
    image.attrib.clear()
    image.set("src", stored.url)
    if stored.srcset:
        image.set("srcset", stored.srcset)
        image.set("sizes", ARTICLE_SIZES)
    image.set("width", str(stored.width))
    image.set("height", str(stored.height))
    image.set("alt", alt or "")
    image.set("loading", "lazy")
    image.set("decoding", "async")


def _drop_picture(image: lxml.html.HtmlElement) -> None:
    """The image and what only it explains: its figure (caption, credit), and a paragraph or link
    that held nothing else."""
    doomed = next(image.iterancestors("figure"), image)
    while True:
        parent = doomed.getparent()
        if parent is None or parent.getparent() is None or parent.tag not in ("p", "a", "span", "div", "picture"):
            break
        if len(parent) != 1 or _bare_text(parent) != _bare_text(doomed):
            break
        doomed = parent
    if doomed.getparent() is not None:
        doomed.drop_tree()
