"""A news page with in-body pictures marked up the ways real outlets do it (lazy loading, <noscript>
copies, srcset, <picture>, figure captions, WordPress caption boxes, credit lines), and a local
outlet serving it with good, broken, non-image and redirected-to-a-private-address pictures."""

from __future__ import annotations

import functools
import io
import os
import re
import tarfile
import zlib
from pathlib import Path

from PIL import Image

from tests.http_servers import LocalServer, reply

PARAGRAPH = ("The council met on Tuesday evening to discuss the new bridge over the river, and residents "
             "filled the hall to hear the engineers explain the plans in detail. {n}")
GOOD_CAPTIONS = ["Engineers present the bridge plans to the council.", "The old crossing, closed since spring.",
                 "Residents queue outside the hall.", "A model of the new bridge.", "The river at dawn."]
GONE_CAPTIONS = ["This picture's server answers 404.", "This one is a web page, not a picture.",
                 "This one redirects to a private address."]
GONE_CREDITS = ["Photo: Missing Agency", "Photo: Page Agency", "Photo: Private Agency"]


@functools.cache
def jpeg(width: int, height: int, color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def paragraphs(start: int, count: int) -> str:
    return "\n".join(f"<p>{PARAGRAPH.format(n=n)}</p>" for n in range(start, start + count))


def article_html() -> str:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bridge plans unveiled | The Local</title>
<meta property="og:title" content="Bridge plans unveiled">
<meta property="og:image" content="/img/lead.jpg">
</head><body>
<header><nav><a href="/">Home</a> <a href="/news/">News</a> <a href="/sport/">Sport</a></nav></header>
<main><article>
<h1>Bridge plans unveiled</h1>
<p class="byline">By Jane Reporter</p>
{paragraphs(0, 3)}
<figure class="article-image">
  <div class="wrap"><div class="ratio"><img class="thumb" src="/img/bridge.jpg?w=40&blur=1" alt="">
  </div><img class="lazy" alt="Engineers at the council"><noscript><img src="/img/bridge.jpg" alt="Engineers at the council"></noscript></div>
  <figcaption>{GOOD_CAPTIONS[0]} <span class="credit">Photo: Jane Reporter</span></figcaption>
</figure>
{paragraphs(3, 2)}
<div class="wp-caption aligncenter"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="
  data-src="/img/crossing.jpg" alt="The old crossing"><p class="wp-caption-text">{GOOD_CAPTIONS[1]}</p></div>
{paragraphs(5, 2)}
<figure><img src="/img/queue-small.jpg" srcset="/img/queue-small.jpg 320w, /img/queue.jpg 1600w"
  sizes="100vw" alt="Queue"><figcaption>{GOOD_CAPTIONS[2]}</figcaption></figure>
{paragraphs(7, 2)}
<figure><picture><source type="image/webp" data-srcset="/img/model.jpg 1x"><img src="data:image/svg+xml,%3Csvg%3E%3C/svg%3E"
  data-lazy-src="/img/model.jpg" alt="Model"></picture><figcaption>{GOOD_CAPTIONS[3]}</figcaption></figure>
{paragraphs(9, 2)}
<figure><img src="/img/missing.jpg" alt="Missing"><figcaption>{GONE_CAPTIONS[0]} <span class="credit">{GONE_CREDITS[0]}</span></figcaption></figure>
{paragraphs(11, 2)}
<p><img src="/img/page.jpg" alt="A page"></p><p class="photo-credit">{GONE_CAPTIONS[1]} {GONE_CREDITS[1]}</p>
{paragraphs(13, 2)}
<figure><img data-src="/img/private.jpg" alt="Private"><figcaption>{GONE_CAPTIONS[2]} <small class="copyright">{GONE_CREDITS[2]}</small></figcaption></figure>
{paragraphs(15, 2)}
<p><img src="/img/river.jpg" alt="River"></p><p class="image-caption">{GOOD_CAPTIONS[4]}</p>
{paragraphs(17, 3)}
</article>
<aside class="related"><h2>Read next</h2><ul><li><a href="/news/other.html">Another story</a></li></ul></aside>
</main><footer><p>© The Local 2025. All rights reserved.</p></footer></body></html>"""


def outlet_routes() -> dict:
    image = {"Content-Type": "image/jpeg"}
    return {
        "/news/bridge.html": reply(200, article_html().encode(), {"Content-Type": "text/html; charset=utf-8"}),
        "/img/lead.jpg": reply(200, jpeg(1600, 900, (20, 60, 160)), image),
        "/img/bridge.jpg": reply(200, jpeg(2400, 1600, (160, 40, 40)), image),
        "/img/crossing.jpg": reply(200, jpeg(1200, 800, (40, 160, 40)), image),
        "/img/queue.jpg": reply(200, jpeg(1600, 1000, (160, 160, 40)), image),
        "/img/queue-small.jpg": reply(200, jpeg(320, 200, (160, 160, 40)), image),
        "/img/model.jpg": reply(200, jpeg(900, 900, (40, 160, 160)), {"Content-Type": "application/octet-stream"}),
        "/img/river.jpg": reply(200, jpeg(800, 450, (90, 90, 90)), image),
        "/img/page.jpg": reply(200, b"<html><body>Please log in</body></html>", image),
        "/img/private.jpg": reply(302, b"", {"Location": "http://10.0.0.7/private.jpg"}),
        # /img/missing.jpg is not served: 404
    }


def outlet() -> LocalServer:
    return LocalServer(outlet_routes())


# Real pages (Mozilla Readability's test pages, in ../shared/corpora or VISTKA_CORPORA) served as a
# local outlet: every address on the page is pointed at the mirror, which answers every picture
# request with a generated photo. Nothing from the corpus is copied into the repository.
CORPORA = Path(os.environ.get("VISTKA_CORPORA", Path(__file__).resolve().parent.parent.parent / "shared/corpora"))
READABILITY_ARCHIVE = CORPORA / "readability-test-pages.tar.xz"
_HOST = re.compile(r"(?:https?:)?//([a-z0-9-]+(?:\.[a-z0-9-]+)+)/", re.IGNORECASE)


def readability_page(name: str) -> bytes:
    with tarfile.open(READABILITY_ARCHIVE) as archive:
        return archive.extractfile(f"readability-test-pages/{name}/source.html").read()


class Mirror(dict):
    """Routes for LocalServer: the page at /page.html, a photo for any other path but robots.txt."""

    def __init__(self, page: bytes):
        super().__init__()
        self.page = page

    def get(self, path, default=None):
        if path == "/page.html":
            return reply(200, self.page, {"Content-Type": "text/html; charset=utf-8"})
        if path == "/robots.txt":
            return None
        shade = zlib.crc32(path.encode()) & 0xFFFFFF
        return reply(200, jpeg(1200, 800, (shade >> 16, (shade >> 8) & 255, shade & 255)), {"Content-Type": "image/jpeg"})


def mirrored_outlet(name: str) -> LocalServer:
    server = LocalServer({})
    html = readability_page(name).decode("utf-8", "replace")
    server.routes = Mirror(_HOST.sub(lambda match: f"{server.base_url}/{match.group(1)}/", html).encode())
    return server
