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
    "img": {"src", "alt", "width", "height", "loading"},
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
        attribute_filter=_web_images_only,
        link_rel="noopener nofollow",
        strip_comments=True,
    )


def _web_images_only(tag: str, attribute: str, value: str) -> str | None:
    """An image loads from an http(s) address or not at all (no data: or other schemes, nor a
    relative address that would load from this site)."""
    if tag == "img" and attribute == "src":
        return http_url(value) or None
    return value
