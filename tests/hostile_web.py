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


def dated_page(title: str, json_ld_date: str = "", meta_date: str = "") -> bytes:
    """An article page that declares its date in JSON-LD and/or an article:published_time meta tag."""
    import json

    page = article_page(title).decode()
    head = ""
    if json_ld_date:
        data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                "datePublished": json_ld_date}
        head += f'<script type="application/ld+json">{json.dumps(data)}</script>'
    if meta_date:
        head += f'<meta property="article:published_time" content="{meta_date}">'
    return page.replace("</head>", head + "</head>").encode()


# The dates that stopped every run (issue 14), each on its own page.
PAGE_DATES = {"year-1": ("0001-01-01", ""), "year-0-meta": ("", "0000-01-01T00:00:00Z"),
              "naive": ("2025-01-27T10:00:00", ""), "year-9999": ("9999-12-31T23:59:59-05:00", ""),
              "year-10000": ("10000-01-01", "2025-01-27T09:00:00+02:00"), "garbage": ("yesterday, about noon", "")}
# Feeds, by path, that a hostile-web source list polls (tests/pipeline/test_never_wedged.py); each one fault.
FAULT_FEEDS = ["/feed-year-0", "/feed-bad-page-dates", "/retry-after-huge", "/retry-after-3e9", "/empty-feed",
               "/json-feed", "/late-doctype-feed", "/moved-feed", "/huge-content-length", "/no-content-type-feed",
               "/error500", "/loop", "/gzip-bomb", "/html-as-feed", "/truncated-feed", "/bad-articles-feed",
               "/rate-limited", "/never"]


def rss(items: list[str], encoding: str = "utf-8") -> bytes:
    head = f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel><title>Hostile</title>'
    return (head + "".join(items) + "</channel></rss>").encode("utf-8")


def item(title: str, link: str | None, guid: str | None = None,
         date: str = "Mon, 27 Jan 2025 10:00:00 +0000") -> str:
    parts = [f"<title>{title}</title>", f"<link>{link}</link>" if link else "",
             f'<guid isPermaLink="false">{guid}</guid>' if guid else "", f"<pubDate>{date}</pubDate>"]
    return "<item>" + "".join(parts) + "</item>"


def json_feed(port: int) -> bytes:
    import json

    items = [{"id": f"json-{n}", "url": f"http://127.0.0.1:{port}/plain/json-{n}", "title": f"JSON {n}",
              "date_published": date} for n, date in enumerate(["2025-01-27T10:00:00+02:00", "0000-01-01T00:00:00Z"])]
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "Hostile JSON",
                       "items": items}).encode()


def late_doctype_feed(port: int) -> bytes:
    """A billion-laughs DOCTYPE after 70 KB of prolog (a comment), past where a head-only filter looks."""
    laughs = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10 if n else "lol"}">' for n in range(10))
    body = rss([item("&l9;", f"http://127.0.0.1:{port}/plain/late-1", guid="late-1")]).decode()
    declaration, rest = body.split("?>", 1)
    return f"{declaration}?><!-- {'x' * 70_000} --><!DOCTYPE rss [{laughs}]>{rest}".encode()


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
            "/feed-year-0": lambda r: reply(200, rss([
                item("Year 0", f"http://127.0.0.1:{port(r)}/plain/year-0", guid="y0", date="0000-01-01T00:00:00Z"),
                item("Year 10000", f"http://127.0.0.1:{port(r)}/plain/year-10000", guid="y10000",
                     date="10000-01-01T00:00:00Z"),
                item("Naive", f"http://127.0.0.1:{port(r)}/plain/naive-entry", guid="naive",
                     date="2025-01-27T10:00:00")]), {"Content-Type": "application/rss+xml"})(r),
            "/feed-bad-page-dates": lambda r: reply(200, rss([
                item(f"Dated {name}", f"http://127.0.0.1:{port(r)}/dated/{name}", guid=f"dated-{name}")
                for name in PAGE_DATES]), {"Content-Type": "application/rss+xml"})(r),
            "/retry-after-huge": reply(429, b"", {"Retry-After": "99999999999999999999"}),
            "/retry-after-3e9": reply(503, b"", {"Retry-After": "3000000000"}),
            "/empty-feed": reply(200, rss([]), {"Content-Type": "application/rss+xml"}),
            "/json-feed": lambda r: reply(200, json_feed(port(r)), {"Content-Type": "application/feed+json"})(r),
            "/late-doctype-feed": lambda r: reply(200, late_doctype_feed(port(r)), {"Content-Type": "text/xml"})(r),
            "/moved-feed": reply(301, headers={"Location": "/moved-feed-new"}),
            "/moved-feed-new": lambda r: reply(200, rss([item("Moved", f"http://127.0.0.1:{port(r)}/plain/moved-1",
                                                              guid="moved-1")]),
                                               {"Content-Type": "application/rss+xml"})(r),
            "/huge-content-length": reply(200, b"<rss/>", {"Content-Length": "9" * 5000,
                                                           "Content-Type": "application/rss+xml"}),
            "/no-content-type-feed": self._no_content_type,
        }
        for name, (json_ld, meta) in PAGE_DATES.items():
            routes[f"/dated/{name}"] = reply(200, dated_page(f"Дата {name}", json_ld, meta),
                                             {"Content-Type": "text/html; charset=utf-8"})
        for name in ("year-0", "year-10000", "naive-entry", "json-0", "json-1", "late-1", "moved-1", "plain-1"):
            routes[f"/plain/{name}"] = reply(200, article_page(f"Стаття {name}"), {"Content-Type": "text/html"})
        for name, target in [("127", "http://127.0.0.2:{port}/"), ("10", "http://10.0.0.1/"),
                             ("metadata", "http://169.254.169.254/latest/meta-data/"),
                             ("ipv6-loopback", "http://[::1]:{port}/"),
                             ("mapped", "http://[::ffff:127.0.0.1]:{port}/"), ("localhost", "http://localhost:{port}/")]:
            routes[f"/redirect-{name}"] = self._redirect_to(target)
        for n in range(5):
            routes[f"/article/{n}"] = reply(200, article_page(f"Стаття {n}"), {"Content-Type": "text/html"})
        return routes

    def _no_content_type(self, request: BaseHTTPRequestHandler) -> None:
        body = rss([item("No type", f"http://127.0.0.1:{request.server.server_address[1]}/plain/plain-1", guid="p1")])
        request.send_response(200)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()  # no Content-Type at all
        request.wfile.write(body)

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
