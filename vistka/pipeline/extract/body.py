"""Article body: from its container element (a rule's or trafilatura's) to clean HTML and plain text.

Embeds become plain links, the lead picture and a repeated headline/standfirst leave the body
(the site shows them above it), captions stay inside their figure. Sanitising happens last.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import islice
from urllib.parse import unquote, urljoin, urlsplit

import lxml.etree
import lxml.html

from vistka.pipeline.extract.figures import build_figures
from vistka.pipeline.extract.sanitize import sanitize_html

BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "td", "th", "pre")
JUNK = ("script", "style", "noscript", "form", "button", "input", "select", "textarea", "svg", "template",
        "nav", "aside")
EMBED_XPATH = ("//blockquote[contains(@class,'twitter-tweet') or contains(@class,'instagram-media')"
               " or contains(@class,'telegram-post') or contains(@class,'tiktok-embed')]"
               " | //iframe | //video | //*[@data-embed-url]")
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
YOUTUBE_EMBED = re.compile(r"^https?://(?:www\.)?youtube(?:-nocookie)?\.com/embed/([\w-]+)")


@dataclass
class Body:
    html: str
    text: str
    first_paragraph: str


def clean_body(container: lxml.html.HtmlElement, url: str, *, title: str = "", lead: str = "",
               lead_image: str = "") -> Body:
    """A copy of container, cleaned; the page tree itself is left as it was."""
    body = copy.deepcopy(container)
    _make_links_absolute(body, url)
    for line_break in body.iter("br"):  # so that text on either side stays two words
        # lxml's parser keeps control characters that its API refuses to set again
        line_break.tail = "\n" + NOT_XML.sub("", line_break.tail or "")
    embeds_to_links(body, url)
    for element in body.xpath("|".join(f".//{tag}" for tag in JUNK)):
        if element.getparent() is not None:
            element.drop_tree()
    build_figures(body)  # captions carried on their pictures (figures.prepare_images) become figcaptions
    _drop_lead_image(body, lead_image)
    _drop_repeated_head(body, title, lead)
    _drop_empty_figures(body)
    texts = block_texts(body)
    return Body(html=normalise_text(sanitize_html(_inner_html(body))), text=normalise_text("\n\n".join(texts)),
                first_paragraph=normalise_text(_first_paragraph(body)))


KEPT_LINKS = {"a": "href", "img": "src"}  # the only addresses sanitize_html lets through (srcset: ours only)


def _make_links_absolute(body: lxml.html.HtmlElement, url: str) -> None:
    """lxml.html's make_links_absolute(handle_failures="discard") for the addresses the body keeps: it
    reads every attribute that may hold a link and every style, on every element, in Python."""
    for element in body.iter(*KEPT_LINKS):
        attribute = KEPT_LINKS[element.tag]
        link = element.get(attribute)
        if link is None:
            continue
        try:
            absolute = urljoin(url, link.strip())
        except ValueError:  # an address urljoin cannot read (a broken IPv6 host) is no link
            del element.attrib[attribute]
            continue
        if absolute != link:
            element.set(attribute, absolute)


def embeds_to_links(body: lxml.html.HtmlElement, url: str) -> None:
    """Tweets, videos and other players become one plain link each (no third-party scripts)."""
    for embed in body.xpath(EMBED_XPATH):
        if embed.getparent() is None:
            continue
        target = _embed_target(embed, url)
        replacement = lxml.html.Element("p", {"data-embed": "1"})
        if target:
            link = lxml.etree.SubElement(replacement, "a", href=target)
            link.text = _embed_label(target)
            replacement.tail = embed.tail
            embed.getparent().replace(embed, replacement)
        else:
            embed.drop_tree()


CONTAINERS = ("div", "section", "article", "main", "ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr",
              "details", "center", "body")


def block_texts(body: lxml.html.HtmlElement) -> list[str]:
    """The prose of the body, one entry per block; captions and embed links are not prose. Text
    between blocks (a paragraph's run-on after an inline element, a <div> with bare text) counts too."""
    texts: list[str] = []
    loose: list[str] = []

    def flush() -> None:
        text = " ".join(" ".join(loose).split())
        if text:
            texts.append(text)
        loose.clear()

    def walk(container: lxml.html.HtmlElement) -> None:
        loose.append(container.text or "")
        for child in container:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == "figure" or child.get("data-embed"):
                flush()
            elif tag in BLOCKS or tag in CONTAINERS:
                flush()
                if tag in BLOCKS:
                    loose.append(_spaced_text(child))
                else:
                    walk(child)
                flush()
            elif tag:
                loose.append(child.text_content())  # inline: links, emphasis, code
            loose.append(child.tail or "")

    walk(body)
    flush()
    return texts


def _spaced_text(element: lxml.html.HtmlElement) -> str:
    """text_content() with a space where a nested block or line break separates words: a list item
    holding a heading and a paragraph reads "Debugger Step through", not "DebuggerStep through"."""
    parts: list[str] = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            separate = child.tag in BLOCKS or child.tag in CONTAINERS or child.tag in ("br", "h1", "dt", "dd")
            parts.append(f" {_spaced_text(child)} " if separate else _spaced_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def normalise_text(text: str) -> str:
    """NFC (pages mix composed and decomposed letters: "য়" is one code point or two) without soft
    hyphens, which only hint where a browser may break a word and split it for search and translation."""
    return unicodedata.normalize("NFC", text.replace("\xad", "").replace("&shy;", ""))


def _embed_target(embed: lxml.html.HtmlElement, url: str) -> str:
    if embed.get("data-embed-url"):
        return urljoin(url, embed.get("data-embed-url"))
    if embed.tag in ("iframe", "video"):
        source = embed.get("src") or next((s.get("src") for s in embed.iter("source") if s.get("src")), "")
        match = YOUTUBE_EMBED.match(source or "")
        return f"https://www.youtube.com/watch?v={match.group(1)}" if match else urljoin(url, source or "")
    links = [a.get("href") for a in embed.iter("a") if a.get("href")]
    return urljoin(url, links[-1]) if links else ""  # a tweet's permalink is its last link


def _embed_label(target: str) -> str:
    return target if len(target) <= 80 else f"{urlsplit(target).hostname}: {target[:60]}…"


# A CMS serves one picture under many names: resized ("-1024x683", "_w800"), re-encoded (.webp),
# with query strings or through a CDN path. What is left after these are stripped names the picture.
IMAGE_VARIANT = re.compile(r"(?:[-_@](?:\d{2,4}x\d{0,4}|\d{2,4}w|w\d{2,4}|h\d{2,4}|\d?x|scaled|large|medium|small|"
                           r"thumb(?:nail)?|crop(?:ped)?|resized?))+$", re.IGNORECASE)


def image_identity(url: str) -> str:
    """The picture a URL shows, independent of size variant, format, query and host."""
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1]).casefold()
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return IMAGE_VARIANT.sub("", stem)


def _drop_lead_image(body: lxml.html.HtmlElement, lead_image: str) -> None:
    """The lead picture is shown above the body; its copy in the body goes, even as another size."""
    wanted = image_identity(lead_image) if lead_image else ""
    if len(wanted) < 4:  # "1.jpg" or "image" names nothing in particular
        return
    for image in body.iter("img"):
        sources = [image.get("src") or "", *(part.split()[0] for part in (image.get("srcset") or "").split(",")
                                              if part.strip())]
        if any(image_identity(source) == wanted for source in sources if source):
            figure = next(image.iterancestors("figure"), image)
            if figure.getparent() is not None:
                figure.drop_tree()
            return


def _drop_empty_figures(body: lxml.html.HtmlElement) -> None:
    for figure in list(body.iter("figure")):
        if figure.find(".//img") is None and figure.getparent() is not None:
            figure.drop_tree()


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


SAME_TEXT_RATIO = 0.9  # copies that differ by a word, quotes or punctuation are the same standfirst


def repeats(block: str, head: str) -> bool:
    """Whether a body block only repeats the headline or standfirst `head`, up to case, spacing, quotes
    and small edits. A block that says more than `head` (a standfirst cut off with "…") is kept."""
    a, b = (" ".join(re.findall(r"\w+", text.casefold())) for text in (block, head))
    if not a or not b:
        return False
    if a == b or (len(a) >= 40 and b.startswith(a)):
        return True
    matcher = SequenceMatcher(None, a, b, autojunk=False)  # cheap bounds first: most blocks differ in length
    return matcher.real_quick_ratio() >= SAME_TEXT_RATIO and matcher.quick_ratio() >= SAME_TEXT_RATIO \
        and matcher.ratio() >= SAME_TEXT_RATIO


def _drop_repeated_head(body: lxml.html.HtmlElement, title: str, lead: str) -> None:
    """The headline and standfirst are shown separately, so they must not open the body too."""
    repeated = [text for text in (title, lead) if text.strip()]
    if next(islice((True for element in body.iter(*BLOCKS) if element.text_content().strip()), 1, None), None) is None:
        return  # a post that is one line long repeats its headline: that line is still the post
    for element in list(body.iter("h1", *BLOCKS))[:3]:
        text = element.text_content()
        if any(repeats(text, head) for head in repeated) and element.getparent() is not None:
            element.drop_tree()


def _first_paragraph(body: lxml.html.HtmlElement) -> str:
    for paragraph in body.iter("p"):
        text = " ".join(paragraph.text_content().split())
        if text and not paragraph.get("data-embed") and not any(True for _ in paragraph.iterancestors("figure")):
            return text
    return ""


def _inner_html(body: lxml.html.HtmlElement) -> str:
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in body).strip()
