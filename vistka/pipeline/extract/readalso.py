""" "Читайте також" / "Read also" blocks: turned into structured links and removed from the page."""

from __future__ import annotations

from urllib.parse import urljoin

import lxml.html

from vistka.core.weburl import http_url

# Sources come in any language: the labels news sites put over links to their other stories, in the
# languages of Europe and the Americas. A label is only ever the start of a short block (_is_label);
# the one-word ones carry their colon ("Mira:"), so a sentence that opens with the word stays.
READ_ALSO_PREFIXES = (
    "читайте також", "читайте также", "дивіться також", "смотрите также", "також читайте", "читайте ще",
    "більше на тему",
    "read also", "see also", "read more", "related:", "related articles", "related stories", "you may also like",
    "lesen sie auch", "lies auch", "auch interessant", "das könnte sie auch interessieren",
    "das könnte dich auch interessieren", "weitere artikel zum thema", "schon gelesen",
    "zum weiterlesen", "auch lesen:", "empfohlene beiträge", "passend zum thema", "weitere beiträge",
    "weitere themen", "mehr themen", "ähnliche artikel", "ähnliche beiträge", "verwandte artikel",
    "lea también", "lee también", "lea más:", "lee más:", "lea:", "vea también", "ver también:", "mira:", "mire:",
    "puedes ver:", "le puede interesar", "te puede interesar", "noticias relacionadas", "notas relacionadas",
    "contenido relacionado", "artículos relacionados", "temas relacionados", "te recomendamos",
    "leia também", "leia mais:", "veja também", "saiba mais:",
    "à lire aussi", "lire aussi", "à lire également", "voir aussi", "sur le même sujet",
    "leggi anche", "potrebbe interessarti", "articoli correlati",
    "czytaj też", "czytaj także", "czytaj również", "zobacz też", "zobacz także", "przeczytaj też",
    "przeczytaj także",
)


def pop_read_also_blocks(tree: lxml.html.HtmlElement, url: str) -> list[dict]:
    """Find "Читайте також"-style blocks, return their links and remove them from the page."""
    links: list[dict] = []
    for element in list(tree.iter("p", "div", "aside", "section", "h2", "h3", "h4", "strong", "b", "li")):
        if element.getparent() is None or not _is_label(element):
            continue
        block = _read_also_container(element)
        for anchor in block.iter("a"):
            href, title = anchor.get("href") or "", " ".join(anchor.text_content().split())
            target = http_url(urljoin(url, href.strip())) if href.strip() else ""
            if target and title:  # only web links: no javascript:, data:, mailto: in any spelling
                links.append({"url": target, "title": title})
        if block.getparent() is not None:
            block.drop_tree()
    return _unique_by_url(links)


LABEL_MAX_CHARS = 400
LABEL_FIRST_WORDS = tuple({prefix.split()[0] for prefix in READ_ALSO_PREFIXES})


def _is_label(element: lxml.html.HtmlElement) -> bool:
    # Every block of the page is asked, the ones wrapping the whole page too: decide on the first
    # words and read no further than a label can be long, instead of taking each block's whole text.
    pieces, length = [], 0
    for piece in element.itertext():
        length += len(piece)
        if length > LABEL_MAX_CHARS:
            return False
        if not pieces:  # the first words decide
            if not piece.strip():
                continue
            if not piece.lstrip().lower().startswith(LABEL_FIRST_WORDS):
                return False
        pieces.append(piece)
    return " ".join("".join(pieces).split()).lower()[:40].startswith(READ_ALSO_PREFIXES)


def _read_also_container(label: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The element holding both the label and its links (a heading's links are often in the next list)."""
    if label.find(".//a") is not None:
        return label
    following = label.getnext()
    if following is not None and following.tag in {"ul", "ol"}:
        label.drop_tree()
        return following
    parent = label.getparent()
    if parent is not None and parent.tag in {"div", "aside", "section", "p"} and _holds_links_only(parent, label):
        return parent
    return label


LINKS_BOX_SHARE = 0.25  # teasers are a linked title and an unlinked excerpt; prose has a link here and there


def _holds_links_only(parent: lxml.html.HtmlElement, label: lxml.html.HtmlElement) -> bool:
    """Whether the label's parent is a links box: short, and a good share of what it holds besides the
    label is link text. A short article with an empty "Related" box (a script fills it) is not one."""
    text = " ".join(parent.text_content().split())
    if len(text) >= 800:
        return False
    rest = len(text) - len(" ".join(label.text_content().split()))
    linked = sum(len(" ".join(anchor.text_content().split())) for anchor in parent.iter("a"))
    return rest <= 0 or linked >= LINKS_BOX_SHARE * rest


def _unique_by_url(links: list[dict]) -> list[dict]:
    seen, unique = set(), []
    for link in links:
        if link["url"] not in seen:
            seen.add(link["url"])
            unique.append(link)
    return unique
