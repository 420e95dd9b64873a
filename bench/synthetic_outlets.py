"""A local server of generated outlets for benchmarks: N sources × M articles, built from the
sample corpus' sentences (seeded, so every run serves the same pages)."""

from __future__ import annotations

import html
import json
import random
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from vistka.samples import load_gold

KYIV = timezone(timedelta(hours=2))
START = datetime(2025, 1, 1, 8, 0, tzinfo=KYIV)


def sentence_pool() -> list[str]:
    pool = []
    for entry in (entry for entry in load_gold() if entry["language"] == "en"):
        for paragraph in entry["paragraphs"]:
            pool.extend(part.strip() + "." for part in paragraph.split(". ") if len(part) > 30)
    return pool


class SyntheticOutlets:
    """Pages are rendered on first request and cached; feeds list every article of a source."""

    def __init__(self, sources: int, per_source: int, seed: int = 7):
        self.sources, self.per_source = sources, per_source
        self.pool = sentence_pool()
        self.seed = seed
        self._cache: dict[str, bytes] = {}
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def article_urls(self) -> list[str]:
        return [self.article_url(s, n) for s in range(self.sources) for n in range(self.per_source)]

    def article_url(self, source: int, n: int) -> str:
        return f"{self.base_url}/s{source}/a/{n}.html"

    def feed_url(self, source: int) -> str:
        return f"{self.base_url}/s{source}/feed.xml"

    def published(self, source: int, n: int) -> datetime:
        return START + timedelta(minutes=37 * n + 11 * source)

    def page(self, path: str) -> bytes | None:
        if path not in self._cache:
            self._cache[path] = self._render(path)
        return self._cache[path]

    def _render(self, path: str) -> bytes | None:
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[1] == "feed.xml":
            return self._feed(int(parts[0][1:]))
        if len(parts) == 3 and parts[1] == "a":
            return self._article(int(parts[0][1:]), int(parts[2].removesuffix(".html")))
        return None

    def _text(self, source: int, n: int) -> tuple[str, list[str]]:
        rng = random.Random(self.seed * 1_000_003 + source * 10_007 + n)
        title = rng.choice(self.pool)[:90].rstrip(".")
        paragraphs = [" ".join(rng.sample(self.pool, 3)) for _ in range(rng.randint(5, 9))]
        return f"{title} ({source}-{n})", paragraphs

    def _article(self, source: int, n: int) -> bytes:
        title, paragraphs = self._text(source, n)
        when = self.published(source, n).isoformat()
        ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                         "datePublished": when, "author": [{"@type": "Person", "name": f"Author {n % 13}"}]})
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        nav = "".join(f'<li><a href="/s{source}/a/{k}.html">Headline {k}</a></li>' for k in range(n, n + 8))
        return (f'<!doctype html><html lang="uk"><head><meta charset="utf-8"><title>{html.escape(title)} | Outlet {source}</title>'
                f'<script type="application/ld+json">{ld}</script></head><body>'
                f'<header><nav><ul><li><a href="/">Home</a></li><li><a href="/politics">Politics</a></li></ul></nav></header>'
                f'<main><article><h1>{html.escape(title)}</h1><div class="share"><a href="#">Facebook</a> <a href="#">Telegram</a></div>'
                f'<div class="article-body">{body}</div></article><aside><h3>Most read</h3><ul>{nav}</ul></aside></main>'
                f'<footer><p>© Outlet {source}. All rights reserved.</p></footer></body></html>').encode()

    def _feed(self, source: int) -> bytes:
        items = []
        for n in range(self.per_source):
            title, paragraphs = self._text(source, n)
            date = self.published(source, n).strftime("%a, %d %b %Y %H:%M:%S %z")
            items.append(f"<item><title>{html.escape(title)}</title><link>{self.article_url(source, n)}</link>"
                         f"<guid>s{source}-{n}</guid><pubDate>{date}</pubDate>"
                         f"<description>{html.escape(paragraphs[0][:200])}</description></item>")
        return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Outlet {source}</title>'
                f'<link>{self.base_url}/s{source}/</link>{"".join(items)}</channel></rss>').encode()

    def _handler(self):
        outlets = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                body = outlets.page(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                kind = "application/rss+xml" if self.path.endswith(".xml") else "text/html; charset=utf-8"
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler

    def __enter__(self) -> SyntheticOutlets:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
