"""Decoding outlet pages and feeds to text, including the Ukrainian legacy charsets.

Order of evidence: a byte-order mark, then bytes that are valid UTF-8, then the charset the server declares, then the one the document
declares (<meta charset>, the XML declaration), then charset_normalizer's guess. A declared charset
is used only if the bytes decode under it; for the Cyrillic single-byte charsets (windows-1251,
koi8-u...), which decode almost any bytes, the letter case decides: real Ukrainian text is mostly
lowercase, while windows-1251 bytes read as koi8-u (or the reverse) come out mostly uppercase.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

CYRILLIC_8BIT = ("cp1251", "koi8_u", "koi8_r", "iso8859_5", "cp866", "mac_cyrillic")
_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_\-:.]+)|"""
                       rb"""<\?xml[^>]+encoding\s*=\s*["']([a-z0-9_\-:.]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_document(content: bytes, declared: str | None = None) -> tuple[str, str]:
    """(text, codec name) for a page or feed; never raises."""
    for bom, name in _BOMS:
        if content.startswith(bom):
            return content.decode(name, errors="replace").lstrip("\ufeff"), name
    if not content.isascii() and _is_utf8(content):
        # Valid UTF-8 with non-ASCII bytes is almost never an accident; trust it over a declaration.
        return content.decode("utf-8"), "utf_8"
    for candidate in _candidates(content, declared):
        try:
            text = content.decode(candidate)
        except UnicodeDecodeError:
            continue
        if candidate in CYRILLIC_8BIT:
            return _best_cyrillic(content, text, candidate)
        return text, candidate
    return _guess(content)


def _is_utf8(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _candidates(content: bytes, declared: str | None) -> list[str]:
    found = _DECLARED.search(content[:4096])
    in_document = (found.group(1) or found.group(2)).decode("ascii", "ignore") if found else None
    names = [_codec(name) for name in (declared, in_document)]
    return list(dict.fromkeys(name for name in names if name))


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().lower()).name.replace("-", "_") if name else None
    except LookupError:
        return None


def _lowercase_share(text: str) -> float:
    letters = [ch for ch in text if "\u0400" <= ch <= "\u04ff"]
    return sum(ch.islower() for ch in letters) / len(letters) if letters else 0.0


def _best_cyrillic(content: bytes, text: str, codec: str) -> tuple[str, str]:
    best = (_lowercase_share(text), text, codec)
    for other in ("cp1251", "koi8_u"):
        if other == codec:
            continue
        candidate = content.decode(other, errors="replace")
        share = _lowercase_share(candidate)
        if share > best[0] + 0.25:  # clearly better, not noise
            best = (share, candidate, other)
    return best[1], best[2]


def _guess(content: bytes) -> tuple[str, str]:
    match = charset_normalizer.from_bytes(content).best()
    if match is None:
        return content.decode("utf-8", errors="replace"), "utf_8"
    codec = _codec(match.encoding) or "utf_8"
    text = str(match)
    if codec in CYRILLIC_8BIT or _lowercase_share(text) < 0.5 <= _lowercase_share(content.decode("cp1251", "replace")):
        return _best_cyrillic(content, content.decode(codec, errors="replace"), codec)
    return text, codec


def as_utf8_document(content: bytes, declared: str | None = None) -> bytes:
    """The document re-encoded as UTF-8 with its own charset declaration rewritten to match, for
    parsers (feedparser) that read the declaration themselves."""
    text, codec = decode_document(content, declared)
    if codec == "utf_8":
        return content if not content.startswith(codecs.BOM_UTF8) else content[len(codecs.BOM_UTF8):]
    text = re.sub(r"""(<\?xml[^>]+encoding\s*=\s*["'])[^"']+""", r"\1utf-8", text, count=1)
    text = re.sub(r"""(<meta[^>]+charset\s*=\s*["']?)[a-zA-Z0-9_\-:.]+""", r"\1utf-8", text, count=1)
    return text.encode("utf-8")
