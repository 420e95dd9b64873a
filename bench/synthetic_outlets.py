"""Synthetic English outlets for load tests: N sources x M articles, RSS feeds and article pages.

Each source `s{n}` serves `/s{n}/rss.xml` (M items) and `/s{n}/a{m}.html`. Every response can be
delayed (`latency` seconds) so that ingest is I/O-bound, as against real outlets.

    with SyntheticOutlets(sources=20, articles=20, latency=0.05) as outlets:
        outlets.feed_url(0)
"""

from __future__ import annotations

import random
import string
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

START = datetime(2026, 11, 1, tzinfo=UTC)
ENGLISH = ("the government said on monday that it would spend more money on roads and schools in the north "
           "of the country after the floods last week destroyed bridges homes and farms while the minister "
           "told reporters that the army was helping people who lost their houses and that the prices of "
           "food and fuel should fall again before winter because new supplies were arriving by train from "
           "the south where the harvest was good this year according to officials in the capital city").split()


class _QuietServer(ThreadingHTTPServer):
    """Workers stopped mid-request (between the benchmark's runs) reset their connections: not news."""

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class SyntheticOutlets:
    def __init__(self, sources: int = 20, articles: int = 20, latency: float = 0.0, prefix: str = "s",
                 seed: int = 11, start: datetime = START) -> None:
        self.start = start
        self.sources, self.articles, self.latency, self.prefix = sources, articles, latency, prefix
        rng = random.Random(seed)
        # real English words, so that language detection sees English; plus made-up names for topics
        names = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(5, 9))).capitalize() for _ in range(500)]
        self.words = ENGLISH * 4 + names
        self.requests = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- content -------------------------------------------------------------------------------
    def _text(self, source: int, number: int) -> tuple[str, list[str], datetime]:
        rng = random.Random(source * 100_003 + number)
        topic = rng.sample(self.words[-500:], 3) + rng.sample(ENGLISH, 5)  # articles of one "event" share topic words across sources
        title = " ".join(rng.sample(topic, 5)).capitalize()
        paragraphs = [" ".join(rng.choices(ENGLISH, k=30) + rng.sample(topic, 3)).capitalize() + "."
                      for _ in range(6)]
        when = self.start + timedelta(minutes=17 * number + 3 * source)
        return title, paragraphs, when

    def feed(self, source: int) -> str:
        items = []
        for number in range(self.articles):
            title, paragraphs, when = self._text(source, number)
            link = f"{self.base_url}/{self.prefix}{source}/a{number}.html"
            items.append(f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
                         f"<pubDate>{format_datetime(when)}</pubDate><description>{paragraphs[0]}</description></item>")
        return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                f"<title>Outlet {source}</title><link>{self.base_url}/{self.prefix}{source}/</link>"
                f"<description>Synthetic outlet</description><language>en</language>{''.join(items)}</channel></rss>")

    def page(self, source: int, number: int) -> str:
        title, paragraphs, when = self._text(source, number)
        body = "".join(f"<p>{text}</p>" for text in paragraphs)
        return ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
                f"<title>{title}</title><meta property=\"og:title\" content=\"{title}\">"
                f'<meta property="article:published_time" content="{when.isoformat()}"></head>'
                f"<body><header><nav><a href=\"/\">Home</a></nav></header><main><article><h1>{title}</h1>"
                f"<time datetime=\"{when.isoformat()}\">{when:%d %B %Y}</time>{body}</article></main>"
                "<footer><p>Synthetic outlet footer.</p></footer></body></html>")

    def feed_url(self, source: int) -> str:
        return f"{self.base_url}/{self.prefix}{source}/rss.xml"

    def homepage(self, source: int) -> str:
        return f"{self.base_url}/{self.prefix}{source}/"

    # --- server --------------------------------------------------------------------------------
    def __enter__(self) -> SyntheticOutlets:
        outlets = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # As web servers do for kept-alive connections (nginx's tcp_nodelay): else the body, written
            # after the headers, waits for the client's delayed ACK — 40 ms an answer on a kept connection.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:  # noqa: N802
                with outlets._lock:
                    outlets.requests += 1
                if outlets.latency:
                    time.sleep(outlets.latency)
                body, kind = outlets._route(self.path.split("?")[0])
                data = body.encode() if body is not None else b"not found"
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def _route(self, path: str) -> tuple[str | None, str]:
        parts = path.strip("/").split("/")
        if len(parts) != 2 or not parts[0].startswith(self.prefix):
            return None, "text/plain"
        try:
            source = int(parts[0][len(self.prefix):])
        except ValueError:
            return None, "text/plain"
        if parts[1] == "rss.xml":
            return self.feed(source), "application/rss+xml; charset=utf-8"
        if parts[1].startswith("a") and parts[1].endswith(".html"):
            return self.page(source, int(parts[1][1:-5])), "text/html; charset=utf-8"
        return None, "text/plain"
