"""Pictures copied beside extraction, for the embedded pipeline: the writer only records them.

When pages are extracted in the pool (extractpool.py), the fetching thread that handed a page over
copies its pictures as soon as it comes back extracted:

- every picture is fetched in that thread, in this process, through `images.fetch_picture`: the
  fetcher's address guard and size limits, and the one per-host limiter (politeness unchanged).
  Not in an extraction process: on the real web a picture's request mostly waits for the outlet
  (tens to hundreds of milliseconds), which would leave a process meant for CPU work idle;
- the bytes of a page's new pictures go to an extraction process together (one hand-over a page,
  or one a few megabytes), which recognises each picture and keeps its original
  (`images.store_bytes`: a header read, a decode at an eighth of the size, the file written;
  content-addressed, so a picture is stored once whatever reaches it): CPU work kept out of this
  process, which also writes the database. Its widths are made by the site when first asked for
  (vistka/core/pictures.py);
- the body is localised there too, in the same hand-over when no other page's thread is still copying
  one of its pictures (`figures.localise_images`, lxml: never in these threads);
- the writer receives the page with its body already pointing at our copies and the lead picture
  stored, and stores the article as before; with the localised body comes its text (strip_tags, made
  where the body was localised), which the writer's kept texts take (core/plaintext.py) instead of
  parsing the body again.

One address is copied once at a time in this process: a second page asking for a picture being
copied waits for that copy instead of fetching it again (the on-disk index of addresses,
images.py, answers afterwards). A picture that cannot be had is left out with its caption and credit,
as in the writer; no picture failure fails the article.
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.utils.html import strip_tags

from vistka.pipeline import stagetimes
from vistka.pipeline.extract import Extracted, figures, images
from vistka.pipeline.fetch import FetchPolicy

log = logging.getLogger("vistka.pipeline")

# A page's pictures go to the extraction process together, in one hand-over (each costs both processes
# a few tenths of a millisecond), unless their bytes outgrow this: then in several, so that a page of
# twenty large pictures never holds them all in memory at once.
HAND_OVER_BYTES = 4 * 1024 * 1024


@dataclass
class CopiedPictures:
    """What the writer records of an article's pictures copied elsewhere."""

    lead: images.StoredImage | None
    body_html: str  # the body with our copies (and without the pictures that could not be had)
    body_text: str | None = None  # strip_tags(body_html), when the body was localised


class PictureCopier:
    """Copies pictures for the fetching threads of one process; `pool` does the Pillow work."""

    # Process-wide, not per copier: sources polled one after another (or at once) share pictures too.
    _lock = threading.Lock()
    _copying: dict[str, Future[images.StoredImage | None]] = {}

    def __init__(self, policy: FetchPolicy, pool: ProcessPoolExecutor, media_root: Path, limit: int) -> None:
        self.policy, self.pool, self.media_root, self.limit = policy, pool, Path(media_root), limit

    def copy(self, extracted: Extracted, sources: list[str]) -> CopiedPictures:
        """The article's pictures copied and its body localised (called in a fetching thread);
        `sources`: the body's picture addresses (`figures.picture_sources`, found by the extraction
        process). Never raises for a picture: one that cannot be had is None."""
        wanted = list(dict.fromkeys(address for address in (extracted.image, *sources) if address))
        body = extracted.body_html if "<img" in extracted.body_html else None
        mine, others = self._claim(wanted)
        tried: dict[str, images.StoredImage | None] = {}
        localised = text = None
        try:
            contents: dict[str, bytes] = {}
            for address in mine:
                content = self._fetched(address, tried)
                if content is not None:
                    contents[address] = content
                    if sum(map(len, contents.values())) > HAND_OVER_BYTES:
                        self._kept(contents, tried, None, extracted.image)
                        contents = {}
            # The body is localised in the same call when every picture it shows is known by then.
            localised, text = self._kept(contents, tried, body if not others else None, extracted.image)
        finally:
            self._release(mine, tried)
        for address, copying in others.items():
            tried[address] = copying.result()
        if body is not None and localised is None:
            localised, text = self._localised(body, tried, extracted.image)
        lead = tried.get(extracted.image) if extracted.image else None
        return CopiedPictures(lead, extracted.body_html if body is None else localised, text)

    def _claim(self, addresses: list[str]) -> tuple[dict[str, Future], dict[str, Future]]:
        """The addresses this thread copies now (its own futures, which other pages wait on) and those
        another page's thread is copying already (their futures: never fetched a second time)."""
        mine, others = {}, {}
        with self._lock:
            for address in addresses:
                copying = self._copying.get(address)
                if copying is None:
                    mine[address] = self._copying[address] = Future()
                else:
                    others[address] = copying
        return mine, others

    def _release(self, mine: dict[str, Future], tried: dict[str, images.StoredImage | None]) -> None:
        """Every claimed copy ends, whatever happened: from now on the index on disk answers (or a later
        page retries a picture that could not be had)."""
        with self._lock:
            for address in mine:
                del self._copying[address]
        for address, copying in mine.items():
            copying.set_result(tried.get(address))

    def _fetched(self, address: str, tried: dict[str, images.StoredImage | None]) -> bytes | None:
        """The picture's bytes when it is not stored yet; one already stored, or that cannot be had, goes
        to `tried` instead."""
        try:
            known = images.indexed(address, self.media_root)
            if known is None:
                with stagetimes.stage("fetch"):  # the HTTP (and the wait for its turn at the host) is fetching
                    return images.fetch_picture(address, self.policy)
            tried[address] = known
        except images.ImageError as error:
            log.info("image left out: %s", error)
            tried[address] = None
        except Exception:  # noqa: BLE001 - a picture is never worth an article
            log.exception("image left out: %s could not be fetched", address)
            tried[address] = None
        return None

    def _kept(self, contents: dict[str, bytes], tried: dict[str, images.StoredImage | None], body: str | None,
              lead: str) -> tuple[str | None, str | None]:
        """Store the fetched pictures in one call to an extraction process (one hand-over a page, not one
        a picture), and localise `body` there too when given; (the localised body, its text), else Nones."""
        if not contents and body is None:
            return None, None
        try:
            stored, errors, localised, text, seconds = self.pool.submit(
                _keep, contents, str(self.media_root), body, tried, lead, self.limit, stagetimes.active()).result()
        except Exception:  # noqa: BLE001 - a picture is never worth an article (a body is localised again)
            log.exception("images left out: %s could not be stored", ", ".join(contents) or "none")
            tried.update(dict.fromkeys(contents))
            return None, None
        stagetimes.merge(seconds)
        for error in errors:
            log.info("image left out: %s", error)
        tried.update(stored)
        return localised, text

    def _localised(self, body: str, tried: dict[str, images.StoredImage | None], lead: str) -> tuple[str, str]:
        """The body localised with the pictures known now, and its text (a failure here fails the page,
        as before)."""
        _, _, localised, text, seconds = self.pool.submit(_keep, {}, str(self.media_root), body, tried, lead,
                                                          self.limit, stagetimes.active()).result()
        stagetimes.merge(seconds)
        return localised, text


# --- in an extraction process ------------------------------------------------------------------------

def _keep(contents: dict[str, bytes], media_root: str, body: str | None,
          tried: dict[str, images.StoredImage | None], lead: str, limit: int,
          timed: bool) -> tuple[dict[str, images.StoredImage | None], list[str], str | None, str | None,
                                dict[str, float]]:
    """Recognise each picture and keep its original, remembering its address; then localise `body` (when
    given) with these and the pictures `tried` already, and strip its tags (in a pool process)."""
    recorder = stagetimes.Recorder() if timed else None
    stored, errors = {}, []
    with stagetimes.stage("pictures", recorder):
        for address, content in contents.items():
            stored[address], error = _store(content, Path(media_root), address)
            if error:
                errors.append(error)
        localised = text = None
        if body is not None:
            localised = _localise_body(body, {**tried, **stored}, lead, limit)
    if localised is not None:
        with stagetimes.stage("index", recorder):  # the search index's and the story decision's text
            text = _text_of(localised)
    return stored, errors, localised, text, recorder.times() if recorder else {}


def _text_of(body_html: str) -> str | None:
    try:
        return strip_tags(body_html)
    except Exception:  # noqa: BLE001 - the writer makes it itself; the pictures are kept all the same
        log.exception("the text of a localised body is left to the writer")
        return None


def _store(content: bytes, media_root: Path, address: str) -> tuple[images.StoredImage | None, str]:
    """One picture kept, or None and why not (never raises)."""
    try:
        stored = images.store_bytes(content, media_root, address)
    except images.ImageError as refused:
        return None, str(refused)
    except Exception as failure:  # noqa: BLE001 - anything Pillow raises leaves the picture out, not the article
        log.exception("image left out: %s could not be stored (process %s)", address, os.getpid())
        return None, f"{address} could not be stored: {type(failure).__name__}"
    images.remember(address, stored, media_root)
    return stored, ""


def _localise_body(body_html: str, stored: dict[str, images.StoredImage | None], lead: str, limit: int) -> str:
    # The lead picture is shown above the body: the body shows it nowhere (as whatever size or address).
    shown_lead = stored.get(lead) if lead else None
    return figures.localise_images(body_html, stored.get, skip={shown_lead.name} if shown_lead else set(), limit=limit)
