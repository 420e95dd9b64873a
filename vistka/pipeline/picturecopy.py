"""Pictures copied beside extraction, for the embedded pipeline: the writer only records them.

When pages are extracted in the pool (extractpool.py), the fetching thread that handed a page over
copies its pictures as soon as it comes back extracted:

- every picture is fetched in that thread, in this process, through `images.fetch_picture`: the
  fetcher's address guard and size limits, and the one per-host limiter (politeness unchanged).
  Not in an extraction process: on the real web a picture's request mostly waits for the outlet
  (tens to hundreds of milliseconds), which would leave a process meant for CPU work idle;
- its bytes go to an extraction process, which recognises the picture and keeps its original
  (`images.store_bytes`: a header read, a decode at an eighth of the size, the file written;
  content-addressed, so a picture is stored once whatever reaches it): CPU work kept out of this
  process, which also writes the database. Its widths are made by the site when first asked for
  (vistka/core/pictures.py);
- the body is localised there too (`figures.localise_images`, lxml: never in these threads);
- the writer receives the page with its body already pointing at our copies and the lead picture
  stored, and stores the article as before.

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

from vistka.pipeline import stagetimes
from vistka.pipeline.extract import Extracted, figures, images
from vistka.pipeline.fetch import FetchPolicy

log = logging.getLogger("vistka.pipeline")


@dataclass
class CopiedPictures:
    """What the writer records of an article's pictures copied elsewhere."""

    lead: images.StoredImage | None
    body_html: str  # the body with our copies (and without the pictures that could not be had)


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
        process)."""
        tried: dict[str, images.StoredImage | None] = {}
        lead = self._tried(extracted.image, tried) if extracted.image else None
        for address in sources:
            self._tried(address, tried)
        body = extracted.body_html
        if "<img" in body:
            body, seconds = self.pool.submit(_localise, body, tried, lead.name if lead else None, self.limit,
                                             stagetimes.active()).result()
            stagetimes.merge(seconds)
        return CopiedPictures(lead, body)

    def _tried(self, address: str, tried: dict[str, images.StoredImage | None]) -> images.StoredImage | None:
        if address not in tried:
            tried[address] = self.stored(address)
        return tried[address]

    def stored(self, address: str) -> images.StoredImage | None:
        """Our copy of the picture at address, or None when it cannot be had (never raises)."""
        with self._lock:
            copying = self._copying.get(address)
            mine = copying is None
            if mine:
                copying = self._copying[address] = Future()
        if not mine:
            return copying.result()  # another page's thread is copying it: its result, not a second fetch
        try:
            result = self._copy(address)
        except Exception:  # noqa: BLE001 - a picture is never worth an article
            log.exception("image left out: %s could not be stored", address)
            result = None
        with self._lock:
            del self._copying[address]  # from now on the index on disk answers (or a later page retries)
        copying.set_result(result)
        return result

    def _copy(self, address: str) -> images.StoredImage | None:
        known = images.indexed(address, self.media_root)
        if known is not None:
            return known
        try:
            with stagetimes.stage("fetch"):  # the HTTP (and the wait for its turn at the host) is fetching
                content = images.fetch_picture(address, self.policy)
        except images.ImageError as error:
            log.info("image left out: %s", error)
            return None
        stored, error, seconds = self.pool.submit(_store, content, str(self.media_root), address,
                                                  stagetimes.active()).result()
        stagetimes.merge(seconds)
        if error:
            log.info("image left out: %s", error)
        return stored


# --- in an extraction process ------------------------------------------------------------------------

def _store(content: bytes, media_root: str, address: str,
           timed: bool) -> tuple[images.StoredImage | None, str, dict[str, float]]:
    """Recognise one picture and keep its original; remember its address (in a pool process)."""
    recorder = stagetimes.Recorder() if timed else None
    stored, error = None, ""
    with stagetimes.stage("pictures", recorder):
        try:
            stored = images.store_bytes(content, Path(media_root), address)
        except images.ImageError as refused:
            error = str(refused)
        except Exception as failure:  # noqa: BLE001 - anything Pillow raises leaves the picture out, not the article
            log.exception("image left out: %s could not be stored (process %s)", address, os.getpid())
            error = f"{address} could not be stored: {type(failure).__name__}"
        if stored is not None:
            images.remember(address, stored, Path(media_root))
    return stored, error, dict(recorder.seconds) if recorder else {}


def _localise(body_html: str, stored: dict[str, images.StoredImage | None], lead: str | None, limit: int,
              timed: bool) -> tuple[str, dict[str, float]]:
    """The body with the copies made for it (in a pool process: lxml stays out of the fetching threads)."""
    recorder = stagetimes.Recorder() if timed else None
    with stagetimes.stage("pictures", recorder):
        body = figures.localise_images(body_html, lambda address: stored.get(address),
                                       skip={lead} if lead else set(), limit=limit)
    return body, dict(recorder.seconds) if recorder else {}
