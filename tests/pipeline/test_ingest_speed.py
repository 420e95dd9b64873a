"""What keeps ingest cheap: one look-up per poll (pending.py), pages fetched ahead (prefetch.py),
no search-index work for an article that is not published."""

from __future__ import annotations

import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_article, make_source
from tests.hostile_web import HostileWeb
from vistka.core.models import Article, ArticleStatus
from vistka.pipeline.fetch import FetchError, FetchPolicy, RobotsDisallowed
from vistka.pipeline.prefetch import PagePrefetcher
from vistka.pipeline.sources.feedreader import FeedEntry
from vistka.pipeline.sources.pending import triage

POLICY = FetchPolicy(timeout=1.5, connect_timeout=1, read_timeout=1, allow_hosts=["127.0.0.1"])


@pytest.fixture(scope="module")
def web():
    with HostileWeb() as server:
        yield server


def entry_for(article: Article) -> FeedEntry:
    return FeedEntry(guid=article.guid, link=article.url)


@pytest.mark.django_db
def test_triage_skips_what_is_done_in_one_query():
    source, other = make_source(), make_source("Other", homepage="https://other.example/")
    done = make_article(source, 1)
    fetched = make_article(source, 2, status=ArticleStatus.FETCHED)
    failed = make_article(source, 3, status=ArticleStatus.FAILED)
    elsewhere = make_article(other, 4)
    entries = [entry_for(done), entry_for(fetched), entry_for(failed),
               FeedEntry(guid="moved-guid", link=elsewhere.url),  # the same article under another outlet
               FeedEntry(guid="new-1", link="https://www.radiotest.org/new.html"),
               FeedEntry(guid="new-2", link="https://www.radiotest.org/new.html")]  # the same link again
    with CaptureQueriesContext(connection) as queries:
        pending = triage(source, entries)
    assert len(queries.captured_queries) == 1
    assert [(item.entry.guid, item.new) for item in pending] == [
        (fetched.guid, False), (failed.guid, False), ("new-1", True), ("new-2", False)]


@pytest.mark.django_db
def test_triage_of_a_long_feed_is_batched():
    source = make_source()
    entries = [FeedEntry(guid=f"g{n}", link=f"https://www.radiotest.org/{n}.html") for n in range(1000)]
    with CaptureQueriesContext(connection) as queries:
        pending = triage(source, entries)
    assert len(pending) == 1000 and all(item.new for item in pending)
    assert len(queries.captured_queries) == 3


def test_prefetch_keeps_order_and_gaps(web):
    links = [web.url("/article/0"), None, web.url("/article/1"), web.url("/error500")]
    futures = list(PagePrefetcher(POLICY, ahead=2).pages(links))
    assert futures[1] is None
    assert "Стаття 0".encode() in futures[0].result().content
    assert "Стаття 1".encode() in futures[2].result().content
    with pytest.raises(FetchError, match="HTTP 500"):
        futures[3].result()


def test_prefetch_never_requests_a_page_robots_txt_disallows(web):
    before = len(web.requests)
    future = next(PagePrefetcher(POLICY, ahead=1).pages([web.url("/private/secret")]))
    with pytest.raises(RobotsDisallowed):
        future.result()
    assert "/private/secret" not in [path for path, _ in web.requests[before:]]


def test_no_prefetch_when_ahead_is_zero(web):
    assert list(PagePrefetcher(POLICY, ahead=0).pages([web.url("/article/0")])) == [None]


@pytest.mark.django_db
def test_a_new_unpublished_article_costs_the_search_index_nothing():
    source = make_source()
    with CaptureQueriesContext(connection) as queries:
        make_article(source, 1, status=ArticleStatus.FETCHED, translated=False)
    assert not [q for q in queries.captured_queries if "site_search" in q["sql"]]


def test_threads_share_one_robots_txt_download():
    import threading
    import time

    from tests.http_servers import LocalServer, reply
    from vistka.pipeline.fetch.robots import RobotsCache

    def slow_robots(request):
        time.sleep(0.2)  # long enough for every thread to miss the cache
        reply(200, b"User-agent: *\nDisallow:\n", {"Content-Type": "text/plain"})(request)

    cache = RobotsCache()
    with LocalServer({"/robots.txt": slow_robots}) as server:
        threads = [threading.Thread(target=cache.check, args=(f"{server.base_url}/a{n}.html", POLICY))
                   for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
    assert [path for path, _ in server.requests] == ["/robots.txt"]


def test_bench_ingest_reports_the_embedded_process_own_peak_memory_not_its_parents():
    """getrusage's ru_maxrss survives fork and exec on Linux: a process started by a big bench
    reported the bench's memory as its own (302 MB on real pages, of which 160+ was the bench's)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    ballast = bytearray(200 * 1024 * 1024)
    ballast[::4096] = b"\1" * len(ballast[::4096])  # touched: resident in this process
    done = subprocess.run([sys.executable, "-c", "from bench.bench_ingest import _rss_mb; print(_rss_mb())"],
                          cwd=root, capture_output=True, text=True, check=True)
    del ballast
    assert 0 < float(done.stdout) < 150


def test_bench_ingest_prints_the_rate_the_cpu_a_page_allows(capsys, monkeypatch):
    """Beside the measured rate, the ceiling every core busy all the time would give: cores divided
    by the CPU a page of the embedded and the extraction processes together; and the one writing
    process's own, which more cores do not raise."""
    import os

    from bench import bench_ingest

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    result = {"seconds": 10.0, "stored": 100, "published": 100, "statuses": {"published": 100}, "stages": {},
              "latencies": [0.5] * 100, "rss_mb": 200.0, "rss_before_mb": 100.0, "pool_rss_mb": 180.0,
              "cpu_s": {"embedded": 4.0, "extraction": 6.0}, "processes": 2}
    bench_ingest.report("pages", result, 100, trafilatura_seconds=[2.0])  # trafilatura: 50 pages/s
    printed = capsys.readouterr().out
    assert "CPU ceiling: 2 core(s) / 100.0 ms a page = 20.0 pages/s at most, a ratio of 0.40" in printed
    assert ("writer ceiling: the embedded process at 40.0 ms a page = 25.0 pages/s at most on any number of "
            "cores, a ratio of 0.50") in printed
    assert printed.rstrip().splitlines()[-1].startswith("RESULT pages_per_s=10.00 trafilatura_pages_per_s=50.00 ratio=0.20")


def test_bench_ingest_says_how_busy_the_cores_were_and_with_what(capsys, monkeypatch):
    """The rate fell short of the CPU ceiling (0.45 against 0.51) with nothing printed to say why: the
    bench's own outlets serve from the same two cores, and cores stand idle while processes start."""
    import os

    from bench import bench_ingest

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    result = {"seconds": 10.0, "stored": 100, "published": 100, "statuses": {"published": 100}, "stages": {},
              "latencies": [0.5] * 100, "rss_mb": 200.0, "rss_before_mb": 100.0, "pool_rss_mb": 180.0,
              "cpu_s": {"embedded": 6.0, "extraction": 10.0}, "outlets_cpu_s": 1.0, "processes": 2}
    bench_ingest.report("pages", result, 100, trafilatura_seconds=[2.0])
    assert ("the bench's outlets (feeds, pages and pictures served on the same cores): 10.0 ms a page; of the "
            "cores' time over the run: vistka 80%, the outlets 5%, idle 15%") in capsys.readouterr().out


def test_bench_ingest_measures_the_outlets_cpu_while_the_embedded_process_runs(monkeypatch):
    """Only the outlets' threads work in the bench's process while it waits for the embedded one: the
    CPU it spends meanwhile is theirs."""
    import json
    import subprocess

    from bench import bench_ingest

    spent = iter([5.0, 7.5])
    monkeypatch.setattr(bench_ingest, "_cpu_s", lambda pid: next(spent))
    monkeypatch.setattr(subprocess, "run", lambda *args, **kwargs: subprocess.CompletedProcess(
        args, 0, stdout="INGEST " + json.dumps({"seconds": 1.0}) + "\n", stderr=""))
    assert bench_ingest.run_embedded([], None) == {"seconds": 1.0, "outlets_cpu_s": 2.5}


def test_bench_ingest_keeps_the_data_dirs_cache_between_runs(tmp_path, monkeypatch):
    """Each run's data dir is fresh, but not its cache: a deployment unpacks the language model once,
    and a run measures one that has run before (two unpackings were ~1 ms of CPU a page)."""
    from bench import bench_ingest

    monkeypatch.setattr(bench_ingest, "CACHE", tmp_path / "kept")
    for run in ("first", "second"):
        (tmp_path / run).mkdir()
        bench_ingest.share_the_cache(tmp_path / run)
    (tmp_path / "first" / "cache" / "model.arrays").write_bytes(b"unpacked")
    assert (tmp_path / "second" / "cache" / "model.arrays").read_bytes() == b"unpacked"


def test_bench_ingest_splits_the_cpu_by_stage_and_shows_what_no_stage_covers(capsys):
    """Wall time includes waits (the network, a core); the CPU column says what a stage costs, and the
    processes' CPU outside every stage (start-ups, feed parsing, hand-overs) is a row of its own."""
    from bench import bench_ingest

    result = {"seconds": 10.0, "stored": 100, "published": 100, "statuses": {"published": 100},
              "stages": {"fetch": (3.0, 0.5), "extract": (4.0, 3.0)}, "latencies": [0.5] * 100, "rss_mb": 200.0,
              "rss_before_mb": 100.0, "pool_rss_mb": 180.0, "cpu_s": {"embedded": 2.0, "extraction": 3.0},
              "processes": 2}
    bench_ingest.report("pages", result, 100, trafilatura_seconds=[2.0])
    rows = {line.split()[0]: line.split()[1:] for line in capsys.readouterr().out.splitlines()
            if line.split()[:1] and line.split()[0] in ("fetch", "extract", "no", "pictures")}
    assert rows["fetch"] == ["3.00", "30.0", "0.50", "5.0", "10%"]
    assert rows["extract"] == ["4.00", "40.0", "3.00", "30.0", "60%"]
    assert rows["pictures"] == ["0.00", "0.0", "0.00", "0.0", "0%"]
    assert rows["no"] == ["stage", "1.50", "15.0", "30%"]  # 5 s of CPU, 3.5 s of it in stages


def test_bench_ingest_counts_only_the_pages_that_went_through(capsys):
    """A run whose articles all failed (a broken patch: 982 of 990) reported 18.5 pages/s and a
    ratio of 0.62, better than any working run: failed pages are no throughput."""
    from bench import bench_ingest

    result = {"seconds": 10.0, "stored": 100, "published": 60, "through": 70,
              "statuses": {"published": 60, "in_review": 10, "failed": 30},
              "failures": [("extraction failed", 25), ("no article", 5)], "stages": {}, "latencies": [0.5] * 60,
              "rss_mb": 200.0, "rss_before_mb": 100.0, "pool_rss_mb": 180.0, "processes": 2}
    bench_ingest.report("pages", result, 100, trafilatura_seconds=[10.0])
    printed = capsys.readouterr().out
    assert "30 page(s) did not go through, most often: extraction failed (25); no article (5)" in printed
    assert "target every page through (published or held): MISSED (30 failed)" in printed
    assert printed.rstrip().splitlines()[-1] == ("RESULT pages_per_s=7.00 trafilatura_pages_per_s=10.00 ratio=0.70 "
                                                 "publish_p99_s=0.50 rss_mb=200 failed=30")


def test_bench_ingest_prints_the_wall_time_before_the_first_and_after_the_last_publication(capsys):
    from bench import bench_ingest

    assert bench_ingest._edges([105.0, 101.5, 130.0], started_at=100.0, ended_at=132.25) == [1.5, 2.25]
    assert bench_ingest._edges([], started_at=100.0, ended_at=101.0) == []
    result = {"seconds": 32.25, "stored": 3, "published": 3, "statuses": {"published": 3}, "stages": {},
              "latencies": [0.5] * 3, "rss_mb": 200.0, "rss_before_mb": 100.0, "pool_rss_mb": 180.0,
              "processes": 2, "edges_s": [1.5, 2.25]}
    bench_ingest.report("pages", result, 3, trafilatura_seconds=[1.0])
    assert ("first publication 1.50 s after the start; the run ended 2.25 s after the last one (held articles, "
            "settling)") in capsys.readouterr().out


def test_bench_outlets_make_their_pictures_before_the_timed_run():
    """Encoding the 16 generated photos took 0.75 s of the bench's CPU during the run's first second,
    beside the starting extraction processes: the outlets' work, not vistka's."""
    from bench import corpus_outlets

    corpus_outlets._shade.cache_clear()
    with corpus_outlets.CorpusOutlets([b"<html><title>A page</title></html>"], outlets=1):
        assert corpus_outlets._shade.cache_info().currsize == corpus_outlets.SHADES


def test_bench_ingest_compares_with_trafilatura_before_and_after_the_ingest(capsys):
    """The ingest and the baseline ran minutes apart: on a shared machine one run saw trafilatura at
    33.5 pages/s, the next at 41.5. Measured on both sides of the ingest, the baseline is their mean
    rate, and a drift between them is said."""
    from bench import bench_ingest

    result = {"seconds": 10.0, "stored": 100, "published": 100, "statuses": {"published": 100}, "stages": {},
              "latencies": [0.5] * 100, "rss_mb": 200.0, "rss_before_mb": 100.0, "pool_rss_mb": 180.0,
              "processes": 2}
    bench_ingest.report("pages", result, 100, trafilatura_seconds=[2.0, 2.5])  # 50 and 40 pages/s
    printed = capsys.readouterr().out
    assert "plain trafilatura.extract (bytes in memory), before     100      2.0     50.0" in printed
    assert "plain trafilatura.extract (bytes in memory), after      100      2.5     40.0" in printed
    assert "plain trafilatura.extract, the mean rate" in printed and "warning: trafilatura's rate changed by 25%" in printed
    assert printed.rstrip().splitlines()[-1].startswith("RESULT pages_per_s=10.00 trafilatura_pages_per_s=45.00 ratio=0.22")
    bench_ingest.report("pages", result, 100, trafilatura_seconds=[2.0, 2.1])
    assert "warning" not in capsys.readouterr().out


def test_bench_ingest_counts_the_pages_the_extraction_processes_share_once(capsys, tmp_path):
    """Two processes that map the same file (as extraction processes map the language model) each hold
    its pages resident; their own share (PSS) counts each page once between them."""
    import subprocess
    import sys
    import time

    from bench import bench_ingest

    if not bench_ingest._memory_now_mb(os.getpid())[0]:
        pytest.skip("needs Linux's /proc/<pid>/smaps_rollup")
    shared = tmp_path / "model.arrays"
    shared.write_bytes(b"\1" * (32 * 1024 * 1024))
    reader = ("import mmap, sys, time; f = open(sys.argv[1], 'rb'); m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ);"
              " sum(m[i] for i in range(0, len(m), 4096)); print('ready', flush=True); time.sleep(60)")
    processes = [subprocess.Popen([sys.executable, "-c", reader, str(shared)], stdout=subprocess.PIPE, text=True)
                 for _ in range(2)]
    try:
        assert [process.stdout.readline().strip() for process in processes] == ["ready", "ready"]
        time.sleep(0.1)
        memory = [bench_ingest._memory_now_mb(process.pid) for process in processes]
    finally:
        for process in processes:
            process.kill()
            process.wait()
    rss, pss = (sum(column) for column in zip(*memory, strict=True))
    assert rss - pss > 30  # the 32 MB file resident in both, counted once in their own share
    result = {"seconds": 10.0, "stored": 100, "published": 100, "statuses": {"published": 100}, "stages": {},
              "latencies": [0.5] * 100, "rss_mb": 200.0, "rss_before_mb": 100.0, "pool_rss_mb": 180.0,
              "pool_now_mb": [rss, pss], "processes": 2}
    bench_ingest.report("pages", result, 100, trafilatura_seconds=[2.0])
    assert (f"the extraction processes at the end: {rss:.0f} MB resident together, {pss:.0f} MB their own"
            in capsys.readouterr().out)
