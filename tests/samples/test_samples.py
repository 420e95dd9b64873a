"""Tests for the bundled sample outlets (vistka/samples): build, server, feeds, gold file.

No Django needed.
"""

from __future__ import annotations

import email.utils
import json
import subprocess
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import feedparser
import httpx
import pytest
from lxml import html as lxml_html

from vistka.samples import (
    GOLD_PATH,
    SITE_DIR,
    STORIES_PATH,
    SampleOutletServer,
    load_gold,
    load_stories,
    outlets,
    substitute_base,
)
from vistka.samples.build import build

TEXT_SUFFIXES = {".html", ".xml", ".txt", ".json"}


@pytest.fixture(scope="module")
def server():
    with SampleOutletServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def client():
    with httpx.Client(timeout=10) as c:
        yield c


@pytest.fixture(scope="module")
def gold(server):
    return load_gold(server.base_url)


@pytest.fixture(scope="module")
def raw_gold():
    return load_gold()


OUTLETS = {o["slug"]: o for o in outlets()}


# --------------------------------------------------------------------------- build


def test_build_is_reproducible_and_matches_checked_in_files(tmp_path):
    site = tmp_path / "site"
    gold_path = tmp_path / "gold.json"
    stories_path = tmp_path / "stories.json"
    build(site, gold_path, stories_path=stories_path)
    assert stories_path.read_bytes() == STORIES_PATH.read_bytes(), "stories.json is stale"

    assert gold_path.read_bytes() == GOLD_PATH.read_bytes(), (
        "gold.json is stale: run python -m vistka.samples.build"
    )

    def files(root: Path) -> set[str]:
        return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}

    built, checked_in = files(site), files(SITE_DIR)
    assert built == checked_in, f"site/ differs: missing={built - checked_in} extra={checked_in - built}"

    from PIL import Image, ImageChops

    for rel in sorted(built):
        new, old = site / rel, SITE_DIR / rel
        if new.suffix in TEXT_SUFFIXES:
            assert new.read_bytes() == old.read_bytes(), f"{rel} is stale: run python -m vistka.samples.build"
        elif new.read_bytes() != old.read_bytes():
            # JPEG bytes may differ across Pillow/libjpeg versions; pixels must not (much).
            with Image.open(new) as a, Image.open(old) as b:
                assert a.size == b.size
                diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
                assert max(hi for _, hi in diff.getextrema()) <= 16, rel


# --------------------------------------------------------------------------- corpus / gold


def test_corpus_size_and_coverage(raw_gold):
    assert len(raw_gold) >= 36
    assert len({g["id"] for g in raw_gold}) == len(raw_gold)
    assert len({g["url"] for g in raw_gold}) == len(raw_gold)
    outlets_by_story: dict[str, set[str]] = defaultdict(set)
    for g in raw_gold:
        outlets_by_story[g["story"]].add(g["outlet"])
    assert len(outlets_by_story) >= 10
    multi = [s for s, o in outlets_by_story.items() if len(o) >= 2]
    assert len(multi) > len(outlets_by_story) / 2
    assert any(len(o) >= 3 for o in outlets_by_story.values())
    assert len({g["outlet"] for g in raw_gold}) >= 4
    assert {g["language"] for g in raw_gold} >= {"uk", "en"}
    assert sum(1 for g in raw_gold if g["read_also"]) >= 12
    assert any(g["near_duplicate_of"] for g in raw_gold)
    assert any(not g["authors"] for g in raw_gold)
    assert any(len(g["authors"]) >= 2 for g in raw_gold)
    assert any(g["updated"] for g in raw_gold)


def test_gold_entries_are_well_formed(raw_gold):
    keys = {"id", "outlet", "story", "url", "title", "published", "updated", "authors", "image", "language",
            "lead", "lead_in_body", "paragraphs", "read_also"}  # fmt: skip
    lo, hi = (
        datetime.fromisoformat("2025-01-20T00:00:00+02:00"),
        datetime.fromisoformat("2025-02-16T00:00:00+02:00"),  # stories eval adds early February
    )
    for g in raw_gold:
        assert keys <= g.keys(), g["id"]
        outlet = OUTLETS[g["outlet"]]
        assert g["url"].startswith("{{BASE}}/" + g["outlet"] + "/")
        assert g["image"].startswith("{{BASE}}/" + g["outlet"] + "/img/") and g["image"].endswith(".jpg")
        assert g["language"] == outlet["language"]
        assert g["lead_in_body"] == outlet["lead_in_body"]
        published = datetime.fromisoformat(g["published"])
        assert g["published"].endswith("+02:00")
        assert lo <= published < hi, g["id"]
        if g["updated"]:
            assert datetime.fromisoformat(g["updated"]) > published
        assert 4 <= len(g["paragraphs"]) <= 9, g["id"]
        if g["lead_in_body"]:
            assert g["paragraphs"][0] == g["lead"]
        else:
            assert g["lead"] not in g["paragraphs"]
        assert all(p.strip() == p and p for p in g["paragraphs"])


def test_read_also_targets_exist(raw_gold):
    by_url = {g["url"]: g for g in raw_gold}
    by_id = {g["id"]: g for g in raw_gold}
    for g in raw_gold:
        for url in g["read_also"]:
            assert url in by_url, f"{g['id']}: read_also {url} is not in the corpus"
            assert url != g["url"]
        if g["near_duplicate_of"]:
            other = by_id[g["near_duplicate_of"]]
            assert other["story"] == g["story"] and other["outlet"] != g["outlet"]


def test_stories_index(raw_gold):
    stories = load_stories()
    by_slug = {s["story"]: s for s in stories}
    assert sorted(a for s in stories for a in s["articles"]) == sorted(g["id"] for g in raw_gold)
    for g in raw_gold:
        assert g["id"] in by_slug[g["story"]]["articles"]
    pairs = [(s["story"], h) for s in stories for h in s["hard_negatives"]]
    assert pairs, "at least one hard-negative story pair"
    for a, b in pairs:
        assert a in by_slug[b]["hard_negatives"]
    assert any(s["near_duplicates"] for s in stories)


# --------------------------------------------------------------------------- server: pages


def _body_paragraphs(doc, outlet: dict) -> list[str]:
    containers = doc.xpath(outlet["body_xpath"])
    assert len(containers) == 1, outlet["slug"]
    return [" ".join(p.text_content().split()) for p in containers[0].iter("p")]


def test_every_gold_page_is_served_and_matches_gold(server, client, gold):
    for g in gold:
        r = client.get(g["url"])
        assert r.status_code == 200, g["url"]
        outlet = OUTLETS[g["outlet"]]
        assert r.headers["content-type"] == f"text/html; charset={outlet.get('charset', 'utf-8')}"
        text = r.text
        assert "{{BASE}}" not in text
        doc = lxml_html.fromstring(r.content)
        outlet = OUTLETS[g["outlet"]]

        assert _body_paragraphs(doc, outlet) == g["paragraphs"], g["id"]
        assert doc.xpath("string(//title)").startswith(g["title"] + " | ")
        assert doc.xpath("string(//meta[@property='og:title']/@content)") == g["title"]
        assert doc.xpath("string(//meta[@property='og:image']/@content)") == g["image"]
        assert doc.xpath("string(//link[@rel='canonical']/@href)") == g["url"]
        published_meta = doc.xpath("string(//meta[@property='article:published_time']/@content)")
        assert published_meta == ("" if outlet.get("date_only_in_json_ld") else g["published"])

        lds = [json.loads(s) for s in doc.xpath("//script[@type='application/ld+json']/text()")]
        articles = [n for ld in lds for n in ld.get("@graph", [ld]) if n.get("@type") == "NewsArticle"]
        assert len(articles) == 1, g["id"]
        ld = articles[0]
        assert ld["headline"] == g["title"]
        assert ld["datePublished"] == g["published"]
        assert [a["name"] for a in ld.get("author", [])] == g["authors"]
        assert ld["image"]["url"] == g["image"]

        hrefs = set(doc.xpath("//a/@href"))
        for url in g["read_also"]:
            assert url in hrefs, f"{g['id']}: read-also link {url} missing"


def test_images_are_small_jpegs(server, client, gold):
    from io import BytesIO

    from PIL import Image

    for g in gold:
        r = client.get(g["image"])
        assert r.status_code == 200
        assert r.headers["content-type"] == "image/jpeg"
        assert len(r.content) < 8 * 1024
        with Image.open(BytesIO(r.content)) as im:
            assert im.format == "JPEG" and im.size == (320, 180)


def test_homepages_link_to_all_articles(server, client, gold):
    for slug, o in OUTLETS.items():
        r = client.get(server.url(o["homepage"]))
        assert r.status_code == 200
        doc = lxml_html.fromstring(r.content)
        doc.make_links_absolute(server.base_url + o["homepage"])
        hrefs = set(doc.xpath("//a/@href"))
        for g in gold:
            if g["outlet"] == slug:
                assert g["url"] in hrefs, g["id"]


# --------------------------------------------------------------------------- server: feeds


def test_feeds_list_every_article(server, client, gold):
    for slug, o in OUTLETS.items():
        r = client.get(server.url(o["feed"]))
        assert r.status_code == 200
        expected_type = "application/atom+xml" if o["feed_type"] == "atom" else "application/rss+xml"
        assert r.headers["content-type"].split(";")[0] == expected_type
        assert "{{BASE}}" not in r.text
        d = feedparser.parse(r.content)
        assert not d.bozo, (slug, d.get("bozo_exception"))
        assert d.version == ("atom10" if o["feed_type"] == "atom" else "rss20")
        entries = {e.link: e for e in d.entries}
        mine = [g for g in gold if g["outlet"] == slug]
        assert set(entries) == {g["url"] for g in mine}
        for g in mine:
            e = entries[g["url"]]
            assert e.title == g["title"]
            if o["feed_content"] == "full":
                content = lxml_html.fromstring(e.content[0].value).text_content()
                for p in g["paragraphs"]:
                    assert p in content, g["id"]
            else:
                # summary-only feed (ledger's media:description becomes a "content" entry in feedparser)
                feed_text = " ".join(c.value for c in e.get("content", []))
                assert not any(p in feed_text for p in g["paragraphs"] if p != g["lead"]), g["id"]
                assert e.summary == g["lead"], g["id"]


def test_feed_dates_are_correct(server, client, gold):
    import calendar

    for slug, o in OUTLETS.items():
        d = feedparser.parse(client.get(server.url(o["feed"])).content)
        by_link = {e.link: e for e in d.entries}
        for g in gold:
            if g["outlet"] == slug:
                ts = calendar.timegm(by_link[g["url"]].published_parsed)
                assert ts == int(datetime.fromisoformat(g["published"]).timestamp()), g["id"]


# --------------------------------------------------------------------------- server: HTTP behaviour


def test_conditional_get(server, client, gold):
    url = gold[0]["url"]
    r = client.get(url)
    etag, last_modified = r.headers["etag"], r.headers["last-modified"]
    assert etag and email.utils.parsedate_to_datetime(last_modified)

    r304 = client.get(url, headers={"If-None-Match": etag})
    assert r304.status_code == 304 and r304.content == b""
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200

    feed = server.url(OUTLETS["svoboda"]["feed"])
    etag = client.get(feed).headers["etag"]
    assert client.get(feed, headers={"If-None-Match": etag}).status_code == 304


def test_http_edge_cases(server, client, gold):
    assert client.get(server.url("/nope/")).status_code == 404
    assert client.get(server.url("/svoboda/a/1.html")).status_code == 404
    assert client.get(server.url("/../../etc/passwd")).status_code == 404
    r = client.get(server.url("/pravda"), follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == "/pravda/"
    pravda = next(g for g in gold if g["outlet"] == "pravda")
    r = client.get(pravda["url"].rstrip("/"), follow_redirects=True)
    assert r.status_code == 200 and str(r.url) == pravda["url"]
    head = client.head(gold[0]["url"])
    assert head.status_code == 200 and head.content == b""
    assert client.get(server.url("/")).status_code == 200


def test_requests_are_recorded():
    with SampleOutletServer() as srv, httpx.Client() as c:
        assert srv.base_url.startswith("http://127.0.0.1:")
        c.get(srv.base_url + "/ledger/rss.xml")
        c.get(srv.base_url + "/ledger/?x=1")
        c.get(srv.base_url + "/missing")
        assert srv.requests == ["/ledger/rss.xml", "/ledger/?x=1", "/missing"]


def test_outlets_api():
    data = outlets()
    assert len(data) >= 4
    for o in data:
        assert {"slug", "name", "homepage", "feed", "feed_type", "language", "licence"} <= o.keys()
        assert o["feed_type"] in {"rss", "atom"}
        assert o["licence"] in {"full", "excerpt", "link"}
        assert o["homepage"] == f"/{o['slug']}/"
        assert (SITE_DIR / o["feed"].lstrip("/")).is_file()


def test_substitute_base():
    assert substitute_base({"a": ["{{BASE}}/x"]}, "http://h:1/") == {"a": ["http://h:1/x"]}


def test_server_cli():
    proc = subprocess.Popen(
        [sys.executable, "-m", "vistka.samples.server", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("Serving sample outlets at http://127.0.0.1:"), line + proc.stderr.read()
        base = line.split(" at ", 1)[1].strip().rstrip("/")
        r = httpx.get(base + "/ukrvisti/atom.xml", timeout=10)
        assert r.status_code == 200 and base in r.text
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_server_cli_stops_on_ctrl_c_that_a_serving_thread_receives():
    """SIGINT goes to any thread that does not block it; Python raises KeyboardInterrupt in the main
    thread once that thread runs again. Waiting without end there, the outlets kept serving."""
    script = (
        "import signal, threading, time\n"
        "from vistka.samples import server\n"
        "threading.Timer(1.0, lambda: signal.pthread_kill(threading.get_ident(), signal.SIGINT)).start()\n"
        "started = time.monotonic()\n"
        "status = server.main(['--port', '0'])\n"
        "print('stopped', round(time.monotonic() - started), status)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30,
                          cwd=Path(__file__).resolve().parents[2])
    last = done.stdout.splitlines()[-1].split()
    assert last[0] == "stopped" and int(last[1]) < 10 and last[2] == "0", done.stdout + done.stderr
