"""A stored body's text without its tags, parsed once per process for all who read it.

`django.utils.html.strip_tags` parses in pure Python (~4 ms for a long article), and the writing
process needs the same body's text several times: for the story decision (the article's own, the
stored-row check, related posts, and the indexes built for backfills of its days) and for the search
index, which takes it again when settling moves the article. The last bodies used are kept, by a digest
of the body (the text alone, ~5-10 KB each: a few MB). A body whose text was made in another process
(an extraction process that localised its pictures: pipeline/picturecopy.py) is remembered with it.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import OrderedDict

from django.utils.html import strip_tags

_TEXTS: OrderedDict[bytes, str] = OrderedDict()
TEXTS_LIMIT = 512


def tags_stripped(html: str) -> str:
    """strip_tags(html), from the kept texts when this body was stripped lately."""
    key = _key(html)
    text = _TEXTS.get(key)
    if text is not None:
        with contextlib.suppress(KeyError):  # another thread may have let it go meanwhile
            _TEXTS.move_to_end(key)
        return text
    return _kept(key, strip_tags(html))


def remember(html: str, text: str) -> None:
    """Keep `text`, which is strip_tags(html) made elsewhere (the same function, another process)."""
    _kept(_key(html), text)


def _key(html: str) -> bytes:
    return hashlib.blake2b(html.encode(), digest_size=16).digest()


def _kept(key: bytes, text: str) -> str:
    _TEXTS[key] = text
    while len(_TEXTS) > TEXTS_LIMIT:
        with contextlib.suppress(KeyError):
            _TEXTS.popitem(last=False)
    return text
