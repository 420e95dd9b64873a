"""Sanitiser: every piece of outlet HTML passes through here before it is stored or rendered."""

from __future__ import annotations

import nh3

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
        attribute_filter=_only_our_srcset,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener nofollow",
        strip_comments=True,
    )


def _only_our_srcset(tag: str, attribute: str, value: str) -> str | None:
    """A srcset is only ever one we wrote (figures.localise_images): every candidate on this site.
    The sanitiser checks the schemes of src and href, not of srcset's addresses."""
    if attribute == "srcset" and not all(candidate.strip().startswith("/media/") for candidate in value.split(",")):
        return None
    return value
