"""Sanitiser: every piece of outlet HTML passes through here before it is stored or rendered."""

from __future__ import annotations

import nh3

from vistka.core.weburl import http_url

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "blockquote", "ul", "ol", "li", "strong", "b", "em", "i",
    "a", "figure", "figcaption", "img", "table", "thead", "tbody", "tr", "th", "td", "q", "cite",
    "sub", "sup", "hr",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "srcset", "sizes", "alt", "width", "height", "loading", "decoding"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


def sanitize_html(html: str) -> str:
    """Keep only harmless structure; links get rel="noopener nofollow", scripts and styles vanish."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        attribute_filter=_image_addresses,
        link_rel="noopener nofollow",
        strip_comments=True,
    )


OUR_PICTURES = "/media/images/"  # where images.py stores every picture we serve


def _image_addresses(tag: str, attribute: str, value: str) -> str | None:
    """An image loads from one of our stored pictures (figures.localise_images) or, before that step,
    from an http(s) address; never from data: or other schemes, nor from another address on this site.
    A srcset is only ever one we wrote: every candidate ours (nh3 checks no scheme inside srcset)."""
    if tag != "img":
        return value
    if attribute == "src":
        return value if value.startswith(OUR_PICTURES) else (http_url(value) or None)
    if attribute == "srcset" and not all(candidate.strip().startswith(OUR_PICTURES) for candidate in value.split(",")):
        return None
    return value
