"""`make bench-wedged`: real pages and every hostile fault, served as local outlets, polled by a real
`vistka fetch` on a fresh data dir (issue 14's "never wedged" check, as a new user would run it).

Real pages come from ../shared/corpora (VISTKA_CORPORA): the Readability test pages and trafilatura's
evaluation pages, unpacked into test-artifacts/corpora/ (git-ignored) and served, unchanged, from a
local server, spread over --outlets feeds; the hostile web (tests/hostile_web.py) adds one feed per
known fault. Two passes are run; each must poll every source and end with exit status 0 or 3.

Prints a table and one line: RESULT sources=… polled=… failed_sources=… pages=… stored=… published=…
failed_articles=… quarantined=… crashes=… passes_clean=… seconds_first_pass=…
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus_outlets import _ABSOLUTE, _photo  # noqa: E402
from tests.hostile_web import FAULT_FEEDS, HostileWeb  # noqa: E402
from tests.http_servers import LocalServer, reply  # noqa: E402

CORPORA = Path(os.environ.get("VISTKA_CORPORA", ROOT.parent / "shared" / "corpora"))
UNPACKED = ROOT / "test-artifacts" / "corpora"
RATE_LIMITED = ("/retry-after-huge", "/retry-after-3e9", "/rate-limited")


def unpack(name: str) -> Path:
    target = UNPACKED / name
    if not target.is_dir():
        UNPACKED.mkdir(parents=True, exist_ok=True)
        with tarfile.open(CORPORA / f"{name}.tar.xz") as archive:
            archive.extractall(UNPACKED, filter="data")
    return target


def real_pages(limit: int) -> list[bytes]:
    """Readability's pages, then trafilatura's evaluation pages in URL order, as the server sent them."""
    pages = [path.read_bytes() for path in sorted(unpack("readability-test-pages").glob("*/source.html"))]
    evaluation = unpack("trafilatura-eval")
    index = json.loads((evaluation / "evaldata.json").read_text())
    for _url, item in sorted(index.items()):
        for folder in ("eval", "cache"):
            path = evaluation / folder / item["file"]
            if path.is_file():
                pages.append(path.read_bytes())
                break
    return pages[:limit]


class _WithPhotos(dict):
    """Routes, plus a generated photo for every outside address of a page (see bench/corpus_outlets.py)."""

    def get(self, path, default=None):
        if path.startswith("/ext/"):
            return reply(200, _photo(path), {"Content-Type": "image/jpeg"})
        return super().get(path, default)


def _page(page: bytes):
    def handler(request) -> None:
        local = f"http://127.0.0.1:{request.server.server_address[1]}/ext/".encode()
        served = _ABSOLUTE.sub(lambda match: local + match.group(1) + b"/", page)  # never the internet
        reply(200, served, {"Content-Type": "text/html"})(request)
    return handler


def outlet_routes(pages: list[bytes], outlets: int, port_holder: dict) -> dict:
    routes = _WithPhotos({f"/p/{n}.html": _page(page) for n, page in enumerate(pages)})
    routes["/robots.txt"] = reply(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
    for outlet in range(outlets):
        def feed(request, outlet=outlet):
            base = f"http://127.0.0.1:{request.server.server_address[1]}"
            items = "".join(f"<item><title>Page {n}</title><link>{base}/p/{n}.html</link><guid>p{n}</guid></item>"
                            for n in range(outlet, len(pages), outlets))
            body = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(str(outlet))}'
                    f"</title>{items}</channel></rss>").encode()
            reply(200, body, {"Content-Type": "application/rss+xml"})(request)
        routes[f"/feed/{outlet}.xml"] = feed
    return routes


def vistka(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vistka.cli", *args], env=env, capture_output=True, text=True,
                          timeout=3600, cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=360, help="real pages served (default 360)")
    parser.add_argument("--outlets", type=int, default=50, help="feeds they are spread over (default 50)")
    args = parser.parse_args()
    pages = real_pages(args.pages)
    with (LocalServer(outlet_routes(pages, args.outlets, {})) as outlets, HostileWeb() as web,
          HostileWeb() as second, HostileWeb() as third, HostileWeb() as fourth,
          tempfile.TemporaryDirectory() as data):
        own_host = dict(zip(RATE_LIMITED, (second, third, fourth), strict=True))
        feeds = [(f"outlet {n}", f"{outlets.base_url}/feed/{n}.xml") for n in range(args.outlets)]
        feeds += [(f"fault {path}", own_host.get(path, web).url(path)) for path in FAULT_FEEDS]
        opml = Path(data) / "sources.opml"
        opml.write_text('<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>' + "".join(
            f'<outline type="rss" text={quoteattr(name)} xmlUrl={quoteattr(url)} language="en"/>'
            for name, url in feeds) + "</body></opml>")
        env = {key: value for key, value in os.environ.items() if not key.startswith("VISTKA_")}
        env.update(VISTKA_DATA_DIR=str(Path(data) / "vistka"), VISTKA_FETCH_ALLOW_HOSTS="127.0.0.1",
                   VISTKA_TRANSLATION_ENGINE="none", VISTKA_PUBLISH_UNTRANSLATED="1", VISTKA_FETCH_HOST_DELAY="0",
                   VISTKA_FETCH_TIMEOUT="3", VISTKA_FETCH_CONNECT_TIMEOUT="2", VISTKA_FETCH_READ_TIMEOUT="2",
                   DJANGO_SETTINGS_MODULE="vistka.config.settings")
        assert vistka(env, "sources", "import-opml", str(opml)).returncode == 0
        passes, crashes, seconds = [], 0, []
        for _ in range(2):
            started = time.perf_counter()
            done = vistka(env, "fetch")
            seconds.append(time.perf_counter() - started)
            crashes += "Traceback" in done.stderr and done.returncode not in (0, 3)
            passes.append(done.returncode)
            if done.returncode not in (0, 3):
                print(done.stdout[-2000:], done.stderr[-4000:], file=sys.stderr)
        records = [json.loads(line) for line in vistka(env, "sources", "--json").stdout.splitlines()]
        status = vistka(env, "status").stdout
        counts = article_counts(Path(data))
    polled = sum(1 for record in records if record["last_polled"])
    failing = [record for record in records if record["consecutive_failures"]]
    print(f"{'source':<34} {'state':<14} {'stored':>6}  last error")
    for record in records:
        if record["name"].startswith("fault") or record["consecutive_failures"]:
            print(f"{record['name'][:34]:<34} {record['state'][:14]:<14} {record['entries_stored']:>6}  "
                  f"{record['last_error'][:70]}")
    print(f"... and {len(records) - len([r for r in records if r['name'].startswith('fault')])} real outlets")
    print(next((line for line in status.splitlines() if "sources failing" in line), ""))
    print("\n".join(line for line in status.splitlines() if " failed: " in line or " quarantined: " in line))
    print(f"passes: exit statuses {passes}, {seconds[0]:.1f} s and {seconds[1]:.1f} s")
    print(f"RESULT sources={len(records)} polled={polled} failed_sources={len(failing)} pages={len(pages)} "
          f"stored={counts['stored']} published={counts['published']} failed_articles={counts['failed']} "
          f"quarantined={counts['quarantined']} crashes={crashes} "
          f"passes_clean={sum(code in (0, 3) for code in passes)}/{len(passes)} seconds_first_pass={seconds[0]:.1f}")


def article_counts(data: Path) -> dict:
    import sqlite3

    with sqlite3.connect(data / "vistka" / "vistka.sqlite3") as connection:
        rows = dict(connection.execute("SELECT status, COUNT(*) FROM core_article GROUP BY status").fetchall())
    return {"stored": sum(rows.values()), "published": rows.get("published", 0), "failed": rows.get("failed", 0),
            "quarantined": rows.get("quarantined", 0)}


if __name__ == "__main__":
    main()
