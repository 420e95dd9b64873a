"""The one check for URLs that came from outside (outlets, feeds, editors) before they are linked to.

Browsers forgive a lot in a URL: `JaVaScRiPt:`, leading spaces or control characters, and tabs or
newlines anywhere in it (`java\\tscript:`) all still run as script. So the check reads the URL as a
browser would (the WHATWG URL rules) and keeps it only when it is an absolute http or https address.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

WEB_SCHEMES = ("http", "https")
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(chr(code) for code in range(0x21))


def http_url(value: object) -> str:
    """The URL, cleaned as a browser would read it, if it is an absolute http(s) URL; else ''."""
    if not isinstance(value, str):
        return ""
    candidate = _TAB_OR_NEWLINE.sub("", value).strip(_C0_AND_SPACE)
    try:
        parts = urlsplit(candidate)
    except ValueError:  # e.g. an invalid IPv6 literal
        return ""
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.netloc:
        return ""
    return candidate


def is_http_url(value: object) -> bool:
    return bool(http_url(value))
