"""Entry URLs normalised so that one article under two addresses is stored once.

courlan lowercases the host, drops default ports and tracking parameters (utm_*, fbclid, ...)
and sorts the query; we also drop the fragment, which never names a different article.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from courlan import normalize_url


def normalise_url(url: str) -> str:
    """The canonical form of an article address; the input unchanged if it is not an http(s) URL."""
    url = url.strip()
    if urlsplit(url).scheme not in ("http", "https"):
        return url
    try:
        cleaned = normalize_url(url, strict=False)
    except (ValueError, AttributeError):
        return url
    parts = urlsplit(cleaned)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
