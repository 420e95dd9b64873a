"""Article body: from its container element (a rule's or trafilatura's) to clean HTML and plain text.

Embeds become plain links, the lead picture and a repeated headline/standfirst leave the body
(the site shows them above it), captions stay inside their figure. Sanitising happens last.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from vistka.pipeline.figures import build_figures
from vistka.pipeline.sanitize import sanitize_html

BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "td", "th", "pre")
JUNK = ("script", "style", "noscript", "form", "button", "input", "select", "textarea", "svg", "template",
        "nav", "aside")
EMBED_XPATH = ("//blockquote[contains(@class,'twitter-tweet') or contains(@class,'instagram-media')"
               " or contains(@class,'telegram-post') or contains(@class,'tiktok-embed')]"
               " | //iframe | //video | //*[@data-embed-url]")
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
    body.make_links_absolute(url, resolve_base_href=False, handle_failures="discard")
    for line_break in body.iter("br"):  # so that text on either side stays two words
        line_break.tail = "\n" + (line_break.tail or "")
    embeds_to_links(body, url)
    for element in body.xpath("|".join(f".//{tag}" for tag in JUNK)):
        if element.getparent() is not None:
            element.drop_tree()
    build_figures(body)  # captions carried on their pictures (figures.prepare_images) become figcaptions
    _drop_lead_image(body, lead_image)
    _drop_repeated_head(body, title, lead)
    _drop_empty_figures(body)
    texts = block_texts(body)
    return Body(html=sanitize_html(_inner_html(body)), text="\n\n".join(texts),
                first_paragraph=_first_paragraph(body))


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


def block_texts(body: lxml.html.HtmlElement) -> list[str]:
    """The prose of the body, one entry per block; captions and embed links are not prose."""
    texts = []
    for element in body.iter(*BLOCKS):
        if any(True for _ in element.iterancestors(*BLOCKS, "figure")) or element.get("data-embed"):
            continue
        text = " ".join(element.text_content().split())
        if text:
            texts.append(text)
    return texts


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


def _drop_lead_image(body: lxml.html.HtmlElement, lead_image: str) -> None:
    if not lead_image:
        return
    for image in body.iter("img"):
        if image.get("src") == lead_image:
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


def _drop_repeated_head(body: lxml.html.HtmlElement, title: str, lead: str) -> None:
    """The headline and standfirst are shown separately, so they must not open the body too."""
    repeated = {_normalised(title), _normalised(lead)} - {""}
    for element in list(body.iter("h1", *BLOCKS))[:3]:
        if _normalised(element.text_content()) in repeated and element.getparent() is not None:
            element.drop_tree()


def _first_paragraph(body: lxml.html.HtmlElement) -> str:
    for paragraph in body.iter("p"):
        text = " ".join(paragraph.text_content().split())
        if text and not paragraph.get("data-embed") and not any(True for _ in paragraph.iterancestors("figure")):
            return text
    return ""


def _inner_html(body: lxml.html.HtmlElement) -> str:
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in body).strip()
