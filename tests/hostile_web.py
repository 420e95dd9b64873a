"""A local "hostile web": one endpoint per way an outlet can misbehave, on 127.0.0.1.

Every redirect to a forbidden address points at a host the fetch guard must refuse *before*
connecting; nothing here ever sends traffic anywhere but 127.0.0.1.
"""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from functools import cache
from http.server import BaseHTTPRequestHandler

from tests.http_servers import LocalServer, reply

UKRAINIAN = ("Президент України заявив, що уряд ухвалив рішення про підтримку громад на сході країни. "
             "Міністерство оборони повідомило про нові постачання техніки. ") * 4


def article_page(title: str, charset: str = "utf-8") -> bytes:
    body = "".join(f"<p>{UKRAINIAN} Абзац {n}.</p>" for n in range(6))
    html = (f'<html lang="uk"><head><meta charset="{charset}"><title>{title}</title></head>'
            f"<body><article><h1>{title}</h1>{body}</article></body></html>")
    return html.encode("utf-8" if charset == "utf-8" else charset)


def rss(items: list[str], encoding: str = "utf-8") -> bytes:
    head = f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel><title>Hostile</title>'
    return (head + "".join(items) + "</channel></rss>").encode("utf-8")


def item(title: str, link: str | None, guid: str | None = None) -> str:
    parts = [f"<title>{title}</title>", f"<link>{link}</link>" if link else "",
             f'<guid isPermaLink="false">{guid}</guid>' if guid else "", "<pubDate>Mon, 27 Jan 2025 10:00:00 +0000</pubDate>"]
    return "<item>" + "".join(parts) + "</item>"


@cache
def gzip_bomb(expanded_mb: int = 100) -> bytes:
    """expanded_mb megabytes of zeros, gzip-compressed (quickly) to about 1/200 of that."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b"\0" * (1 << 20)
    return b"".join(compressor.compress(chunk) for _ in range(expanded_mb)) + compressor.flush()


class HostileWeb(LocalServer):
    def __init__(self):
        self.release = threading.Event()  # ends the handlers that hang, when the server stops
        self.in_flight = 0
        self.max_in_flight = 0
        self.poll_count = 0
        self._lock = threading.Lock()
        gzip_bomb()  # built before serving, so the first request is not slowed by compressing it
        super().__init__(self._routes())

    def __exit__(self, *exc) -> None:
        self.release.set()
        super().__exit__(*exc)

    def url(self, path: str) -> str:
        return self.base_url + path

    def _routes(self) -> dict:
        port = lambda request: request.server.server_address[1]  # noqa: E731
        routes = {
            "/robots.txt": reply(200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"}),
            "/never": self._never,
            "/trickle": self._trickle,
            "/error500": reply(500, b"oops"),
            "/rate-limited": reply(429, b"slow down", {"Retry-After": "120"}),
            "/unavailable": reply(503, b"", {"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"}),
            "/loop": reply(302, headers={"Location": "/loop"}),
            "/gzip-bomb": lambda r: reply(200, gzip_bomb(), {"Content-Encoding": "gzip",
                                                             "Content-Type": "application/rss+xml"})(r),
            "/huge": self._huge_declared,
            "/huge-undeclared": self._huge_streamed,
            "/video": reply(200, b"\0" * 100, {"Content-Type": "video/mp4"}),
            "/html-as-feed": reply(200, article_page("Головна"), {"Content-Type": "application/rss+xml"}),
            "/truncated-feed": lambda r: reply(200, self._truncated(port(r)), {"Content-Type": "text/xml"})(r),
            "/no-guid-feed": lambda r: reply(200, self._no_guid(port(r)), {"Content-Type": "text/xml"})(r),
            "/changing-feed": self._changing,
            "/etag-feed": self._etag_feed,
            "/koi8-page": reply(200, article_page("Новини", "koi8-u").replace(b"koi8-u", b"windows-1251"),
                                {"Content-Type": "text/html; charset=windows-1251"}),
            "/cp1251-feed": lambda r: reply(200, self._cp1251_feed(port(r)),
                                            {"Content-Type": "application/rss+xml; charset=utf-8"})(r),
            "/slow": self._slow,
            "/bad-articles-feed": lambda r: reply(200, self._bad_articles(port(r)), {"Content-Type": "text/xml"})(r),
            "/private/secret": reply(200, article_page("Secret")),
        }
        for name, target in [("127", "http://127.0.0.2:{port}/"), ("10", "http://10.0.0.1/"),
                             ("metadata", "http://169.254.169.254/latest/meta-data/"),
                             ("ipv6-loopback", "http://[::1]:{port}/"),
                             ("mapped", "http://[::ffff:127.0.0.1]:{port}/"), ("localhost", "http://localhost:{port}/")]:
            routes[f"/redirect-{name}"] = self._redirect_to(target)
        for n in range(5):
            routes[f"/article/{n}"] = reply(200, article_page(f"Стаття {n}"), {"Content-Type": "text/html"})
        return routes

    def _never(self, request: BaseHTTPRequestHandler) -> None:
        self.release.wait(30)

    def _trickle(self, request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "application/rss+xml")
        request.end_headers()
        for byte in rss([item("x", "/article/0")] * 50):
            if self.release.wait(1):
                return
            request.wfile.write(bytes([byte]))
            request.wfile.flush()

    def _huge_declared(self, request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Length", str(100_000_000))
        request.end_headers()

    def _huge_streamed(self, request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        request.end_headers()  # no length: the body ends when the connection does
        block = b"<p>" + b"x" * 65_530 + b"</p>"
        try:
            for _ in range(100_000_000 // len(block)):
                request.wfile.write(block)
        except OSError:
            pass  # the client stopped reading, as it should

    def _redirect_to(self, target: str):
        def handler(request: BaseHTTPRequestHandler) -> None:
            reply(302, headers={"Location": target.format(port=request.server.server_address[1])})(request)
        return handler

    def _truncated(self, port: int) -> bytes:
        full = rss([item(f"Стаття {n}", f"http://127.0.0.1:{port}/article/{n}") for n in range(3)])
        return full[: full.index(b"<item>", full.index(b"<item>") + 10) + 40]

    def _no_guid(self, port: int) -> bytes:
        return rss([item("No guid", f"http://127.0.0.1:{port}/article/1?utm_source=feed"),
                    item("No guid, same page", f"http://127.0.0.1:{port}/article/1#comments"),
                    item("No link", None, guid="orphan-1"), item("No link either", None)])

    def _changing(self, request: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.poll_count += 1
            count = self.poll_count
        port = request.server.server_address[1]
        body = rss([item(f"Title version {count}", f"http://127.0.0.1:{port}/article/2", guid="story-2")])
        reply(200, body, {"Content-Type": "application/rss+xml"})(request)

    def _etag_feed(self, request: BaseHTTPRequestHandler) -> None:
        port = request.server.server_address[1]
        if request.headers.get("If-None-Match") == '"v1"':
            return reply(304, headers={"ETag": '"v1"'})(request)
        body = rss([item("Стаття 3", f"http://127.0.0.1:{port}/article/3", guid="a3")])
        reply(200, gzip.compress(body), {"ETag": '"v1"', "Last-Modified": "Mon, 27 Jan 2025 10:00:00 GMT",
                                         "Content-Encoding": "gzip", "Content-Type": "application/rss+xml"})(request)

    def _cp1251_feed(self, port: int) -> bytes:
        text = rss([item("Новини України", f"http://127.0.0.1:{port}/article/4", guid="a4")]).decode()
        return text.encode("cp1251")  # the XML declaration and the header both claim UTF-8

    def _bad_articles(self, port: int) -> bytes:
        paths = ["/never", "/huge-undeclared", "/error500", "/video", "/private/secret", "/article/0"]
        return rss([item(f"Entry {path}", f"http://127.0.0.1:{port}{path}", guid=path) for path in paths])

    def _slow(self, request: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        time.sleep(0.3)
        with self._lock:
            self.in_flight -= 1
        reply(200, b"ok", {"Content-Type": "text/plain"})(request)
