"""Real pages served by local outlets with RSS feeds: the trafilatura evaluation corpus (990 real pages,
original bytes) split over a few outlets, for `make bench-ingest` and `make bench-serve --while-ingesting`.

The corpus is read from ../shared/corpora (or VISTKA_CORPORA) and unpacked once into the git-ignored
.corpora/ folder of the checkout. Every page keeps its bytes but for its absolute addresses, which are
pointed at the local outlets (`//host/` becomes `/ext/host/`): a benchmark never reaches the internet,
and the pages' pictures answer with a generated photo, as an outlet's own image server would. Pages
are served as text/html without a charset, so decoding works from the page's own declaration.
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
import sys
import tarfile
import threading
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = "trafilatura-eval"
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
_ABSOLUTE = re.compile(rb"(?:https?:)?//([a-z0-9-]+(?:\.[a-z0-9-]+)+)/", re.IGNORECASE)
SHADES = 16  # distinct generated photos the outlets answer pictures with


def corpus_dir() -> Path:
    """The unpacked corpus, unpacking it on first use."""
    target = ROOT / ".corpora" / CORPUS
    if (target / "evaldata.json").exists():
        return target
    archive = Path(os.environ.get("VISTKA_CORPORA", ROOT.parent / "shared" / "corpora")) / f"{CORPUS}.tar.xz"
    if not archive.exists():
        sys.exit(f"{archive} is missing (set VISTKA_CORPORA to the folder holding {CORPUS}.tar.xz)")
    print(f"unpacking {archive} into {target.parent} (once)...", flush=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as bundle:
        bundle.extractall(target.parent, filter="data")
    return target


def corpus_pages(limit: int | None = None) -> list[bytes]:
    """The corpus's pages, original bytes, in a fixed order."""
    folder = corpus_dir()
    index = json.loads((folder / "evaldata.json").read_text())
    pages = []
    for _url, item in sorted(index.items()):
        for sub in ("eval", "cache"):
            path = folder / sub / item["file"]
            if path.exists():
                pages.append(path.read_bytes())
                break
    return pages[:limit] if limit else pages


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class CorpusOutlets:
    """`outlets` local outlets at /o{n}/, each with /o{n}/rss.xml listing its pages (newest first)."""

    def __init__(self, pages: list[bytes], outlets: int = 10, start: datetime | None = None) -> None:
        self.pages, self.outlets = pages, outlets
        self.start = start or datetime.now(UTC) - timedelta(hours=12)
        self._server: ThreadingHTTPServer | None = None
        self.base_url = ""
        self.served = 0  # feeds made so far (a feed lists only the pages "published" by then)
        self.visible = len(pages)

    def outlet_pages(self, outlet: int) -> list[int]:
        return [number for number in range(outlet, min(self.visible, len(self.pages)), self.outlets)]

    def page_url(self, number: int) -> str:
        return f"{self.base_url}/o{number % self.outlets}/p{number}.html"

    def feed_url(self, outlet: int) -> str:
        return f"{self.base_url}/o{outlet}/rss.xml"

    def homepage(self, outlet: int) -> str:
        return f"{self.base_url}/o{outlet}/"

    def feed(self, outlet: int) -> bytes:
        items = []
        for number in reversed(self.outlet_pages(outlet)):
            found = _TITLE.search(self.pages[number][:20000])
            title = re.sub(rb"\s+", b" ", found.group(1)).decode("utf-8", "replace").strip() if found else ""
            when = self.start + timedelta(seconds=40 * number)
            link = self.page_url(number)
            items.append(f"<item><title>{escape(title[:200] or f'Page {number}')}</title><link>{link}</link>"
                         f"<guid>{link}</guid><pubDate>{format_datetime(when)}</pubDate></item>")
        return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                f"<title>Corpus outlet {outlet}</title><link>{self.homepage(outlet)}</link>"
                f"<description>Real pages</description>{''.join(items)}</channel></rss>").encode()

    def __enter__(self) -> CorpusOutlets:
        outlets = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # As web servers do for kept-alive connections (nginx's tcp_nodelay): else the body, written
            # after the headers, waits for the client's delayed ACK — 40 ms an answer on a kept connection.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:  # noqa: N802
                body, kind = outlets._route(self.path.split("?")[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args) -> None:
                pass

        for number in range(SHADES):  # encoded before any timing starts: 0.75 s, and not vistka's work
            _shade(number)
        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        local = self.base_url.encode() + b"/ext/"
        self.pages = [_ABSOLUTE.sub(lambda match: local + match.group(1) + b"/", page) for page in self.pages]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def _route(self, path: str) -> tuple[bytes | None, str]:
        if path.startswith("/ext/"):
            return _photo(path), "image/jpeg"
        found = re.fullmatch(r"/o(\d+)/(rss\.xml|p(\d+)\.html)", path)
        if not found:
            return None, "text/plain"
        outlet = int(found.group(1))
        if found.group(2) == "rss.xml":
            return self.feed(outlet), "application/rss+xml; charset=utf-8"
        number = int(found.group(3))
        if number >= len(self.pages) or number % self.outlets != outlet:
            return None, "text/plain"
        return self.pages[number], "text/html"


def _photo(path: str) -> bytes:
    """A photo for any outside address of a page, different bytes for each address (so each is a
    picture of its own to vistka): one of 16 shades, with the address in a JPEG comment. Encoded once
    per shade, as an outlet's image server sends stored files: its work is not vistka's, and the
    bench's outlets share the machine with the pipeline they feed."""
    address = path.encode()[:60000]
    shade = _shade(zlib.crc32(address) % SHADES)
    return shade[:2] + b"\xff\xfe" + (len(address) + 2).to_bytes(2, "big") + address + shade[2:]


@functools.cache
def _shade(number: int) -> bytes:
    """A photo-like picture (grain on a gradient: ~64 KB, as costly to decode as a news photo, unlike
    a flat colour)."""
    from PIL import Image, ImageFilter

    grain = Image.effect_noise((960, 640), 32)
    gradient = Image.linear_gradient("L").resize((960, 640)).rotate(number * 22.5)
    photo = Image.merge("RGB", (grain, gradient, Image.blend(grain, gradient, number / 15)))
    buffer = io.BytesIO()
    photo.filter(ImageFilter.GaussianBlur(1)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()
