"""A tiny HTTP server for the bundled sample outlets.

Serves the static files under ``vistka/samples/site`` and replaces the ``{{BASE}}``
placeholder in text files (HTML, feeds, JSON) with the server's own base URL, e.g.
``http://127.0.0.1:8001``.

Usage in tests::

    with SampleOutletServer() as srv:
        httpx.get(srv.base_url + "/svoboda/rss.xml")

From the command line::

    python -m vistka.samples.server --port 8001
"""

from __future__ import annotations

import argparse
import email.utils
import functools
import hashlib
import posixpath
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

_HERE = Path(__file__).resolve().parent
DEFAULT_ROOT = _HERE / "site"
OUTLETS_FILE = _HERE / "outlets.yaml"
PLACEHOLDER = b"{{BASE}}"

_TEXT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".json": "application/json",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
_BINARY_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}


def outlets() -> list[dict]:
    """The sample outlets, as described in ``outlets.yaml``.

    Each dict has at least: slug, name, homepage (path), feed (path), feed_type
    ("rss"|"atom"), language ("uk"|"en"), licence ("full"|"excerpt"|"link").
    """
    with OUTLETS_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def content_type_for(path: Path) -> tuple[str, bool]:
    """Return (content type, is_text) for a file served from the site root."""
    suffix = path.suffix.lower()
    if suffix == ".xml":
        ctype = "application/atom+xml" if "atom" in path.name.lower() else "application/rss+xml"
        return ctype + "; charset=utf-8", True
    if suffix in _TEXT_TYPES:
        return _TEXT_TYPES[suffix], True
    if suffix in _BINARY_TYPES:
        return _BINARY_TYPES[suffix], False
    return "application/octet-stream", False


@functools.cache
def _outlet_charsets() -> dict[str, str]:
    """Outlets whose files are not UTF-8 (outlets.yaml `charset`), so the header tells the truth."""
    return {o["slug"]: o["charset"] for o in outlets() if o.get("charset", "utf-8") != "utf-8"}


class _Handler(BaseHTTPRequestHandler):
    server_version = "vistka-samples/1.0"
    protocol_version = "HTTP/1.1"

    # set on the subclass created per server
    sample_server: SampleOutletServer

    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        """Quiet: no access log on stderr."""

    def do_HEAD(self):  # noqa: N802
        self._serve(head=True)

    def do_GET(self):  # noqa: N802
        self._serve(head=False)

    def _send_simple(self, status: HTTPStatus, extra_headers: dict | None = None, head: bool = False):
        body = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra_headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _serve(self, head: bool):
        srv = self.sample_server
        srv._record(self.path)
        url_path = unquote(urlsplit(self.path).path) or "/"
        root = srv.root
        # normalise and refuse anything escaping the root
        norm = posixpath.normpath(url_path)
        if norm in (".", ""):
            norm = "/"
        parts = [p for p in norm.split("/") if p and p not in (".", "..")]
        target = root.joinpath(*parts) if parts else root
        try:
            target = target.resolve()
            target.relative_to(root)
        except (ValueError, OSError):
            return self._send_simple(HTTPStatus.NOT_FOUND, head=head)

        if target.is_dir():
            if not url_path.endswith("/"):
                location = url_path + "/"
                query = urlsplit(self.path).query
                if query:
                    location += "?" + query
                return self._send_simple(HTTPStatus.MOVED_PERMANENTLY, {"Location": location}, head=head)
            target = target / "index.html"
        if not target.is_file():
            return self._send_simple(HTTPStatus.NOT_FOUND, head=head)

        ctype, is_text = content_type_for(target)
        if is_text and parts and parts[0] in _outlet_charsets():
            ctype = ctype.replace("charset=utf-8", f"charset={_outlet_charsets()[parts[0]]}")
        data = target.read_bytes()
        if is_text:
            data = data.replace(PLACEHOLDER, srv.base_url.encode("ascii"))
        etag = '"' + hashlib.sha1(data).hexdigest()[:20] + '"'
        mtime = int(target.stat().st_mtime)
        last_modified = email.utils.formatdate(mtime, usegmt=True)

        if self._not_modified(etag, mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return

        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        self.send_header("Cache-Control", "max-age=60")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _not_modified(self, etag: str, mtime: int) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = [t.strip() for t in inm.split(",")]
            weak_etag = "W/" + etag
            return "*" in tags or etag in tags or weak_etag in tags
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                since = email.utils.parsedate_to_datetime(ims)
            except (TypeError, ValueError, IndexError):
                return False
            if since is None:
                return False
            return mtime <= int(since.timestamp())
        return False


class SampleOutletServer:
    """Serve the sample outlets from ``root`` on ``host:port`` in a daemon thread.

    ``port=0`` picks a free port; the actual address is in :attr:`base_url` once the
    server is started (``__enter__`` / :meth:`start`). :attr:`requests` records every
    requested path (with query string) in order.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, root: str | Path | None = None):
        self.host = host
        self.port = port
        self.root = Path(root or DEFAULT_ROOT).resolve()
        self.requests: list[str] = []
        self.request_times: list[float] = []  # time.monotonic() of each request, for politeness tests
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    def _record(self, path: str) -> None:
        with self._lock:
            self.requests.append(path)
            self.request_times.append(time.monotonic())

    def start(self) -> SampleOutletServer:
        if self._httpd is not None:
            return self
        handler = type("SampleHandler", (_Handler,), {"sample_server": self})
        httpd = ThreadingHTTPServer((self.host, self.port), handler)
        httpd.daemon_threads = True
        self._httpd = httpd
        host, port = httpd.server_address[:2]
        self.port = port
        shown_host = f"[{host}]" if ":" in str(host) else host
        self.base_url = f"http://{shown_host}:{port}"
        self._thread = threading.Thread(target=httpd.serve_forever, name="sample-outlets", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def url(self, path: str) -> str:
        """Absolute URL for a server path ("/svoboda/rss.xml") or a ``{{BASE}}`` URL."""
        if path.startswith("{{BASE}}"):
            path = path[len("{{BASE}}") :]
        return self.base_url + path

    def __enter__(self) -> SampleOutletServer:
        return self.start()

    def __exit__(self, exc_type, exc, tb) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the vistka sample news outlets.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--root", default=None, help="site directory (default: the bundled one)")
    args = parser.parse_args(argv)
    server = SampleOutletServer(args.host, args.port, args.root)
    server.start()
    print(f"Serving sample outlets at {server.base_url}/", flush=True)
    for o in outlets():
        print(
            f"  {o['name']:<22} {server.base_url}{o['homepage']}  feed: {server.base_url}{o['feed']}",
            flush=True,
        )
    try:
        # A second at a time: Ctrl-C may reach a serving thread, and Python raises it in the main thread
        # only once that thread runs again (one endless wait never would).
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
