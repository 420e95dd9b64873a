"""`make bench-serve`: the site under load from a second process, next to a static file.

Builds a sample database (the bundled outlets ingested by the real pipeline, then cloned up to
--articles articles so lists, search and feeds work on a realistic table), serves it with gunicorn,
and loads each URL with wrk at --connections concurrent clients. Prints a table and one RESULT line.

--while-ingesting: after the quiet load, the same load again while the embedded pipeline ingests the
990 real pages of the trafilatura evaluation corpus (bench/corpus_outlets.py) into the same data dir,
continuously, in a process of its own; prints both, and the page cache's hit ratio (the X-Cache header
of every response, counted by a wrk script: `hit` and `updating`, a lagging list served while one
thread renders it again, are served from the cache; `miss` was rendered).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from vistka.cli.webserver import heartbeat_in_memory

TARGETS = {"home_p99_ms": 50.0, "article_p99_ms": 20.0, "article_vs_static": 0.70, "rss_mb": 250.0}
# Browsers and feed readers ask for compressed answers: the site's pages and the static file are then
# sent gzip-compressed (the page cache keeps them so; WhiteNoise serves the .gz made by collectstatic).
BROWSER_ENCODINGS = "gzip, deflate, br"
BUSY_TARGETS = {"busy_home_p99_ms": 50.0, "busy_article_p99_ms": 50.0, "busy_hit_ratio": 0.9}
# Counts the page cache's answers (X-Cache: hit, updating or miss) over all of wrk's threads.
CACHE_COUNTER = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) hits = 0; updating = 0; misses = 0 end
function response(status, headers, body)
  local state = headers["X-Cache"]
  if state == "hit" then hits = hits + 1
  elseif state == "updating" then updating = updating + 1
  elseif state == "miss" then misses = misses + 1 end
end
function done(summary, latency, requests)
  local h, u, m = 0, 0, 0
  for _, t in ipairs(threads) do h = h + t:get("hits"); u = u + t:get("updating"); m = m + t:get("misses") end
  io.write(string.format("CACHE hits=%d updating=%d misses=%d\n", h, u, m))
end
"""


def main() -> None:
    args = _arguments()
    if args.ingest_loop:
        _ingest_loop(args.ingest_loop)
        return
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: `apt-get install wrk` (make bench-serve installs it as root)")
    args.client_niceness = _usable_client_niceness(args.client_niceness)
    data_dir = Path(tempfile.mkdtemp(prefix="vistka-bench-"))
    env = {**os.environ, "VISTKA_DATA_DIR": str(data_dir), "VISTKA_PUBLISH_UNTRANSLATED": "1",
           "VISTKA_FETCH_ALLOW_HOSTS": "127.0.0.1", "DJANGO_SETTINGS_MODULE": "vistka.config.settings"}
    env.pop("VISTKA_DATABASE_URL", None)
    print(f"building the sample database in {data_dir} ({args.articles} articles)...", flush=True)
    built = subprocess.run([sys.executable, "-m", "bench.serve_data", str(args.articles)],
                           env={**env, "VISTKA_FETCH_HOST_DELAY": "0"},  # our own local sample outlets
                           capture_output=True, text=True, check=False)
    if built.returncode != 0:
        sys.exit(f"building the database failed:\n{built.stderr[-3000:]}")
    paths = dict(line.split("=", 1) for line in built.stdout.split() if "=" in line)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "vistka.config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--worker-class", "gthread", "--threads", str(args.threads),
         "--preload", *heartbeat_in_memory(), "--log-level", "warning"],  # as `vistka serve` runs it
        env=env, start_new_session=True)
    try:
        _wait_for(port)
        memory = PeakMemory(server.pid)
        memory.start()
        rows = [_load(name, f"http://127.0.0.1:{port}{path}", args) for name, path in paths.items()]
        busy = _load_while_ingesting(paths, port, env, data_dir, args) if args.while_ingesting else None
        memory.stop()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
    _report(rows, memory, args, busy)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=2000, help="articles in the database")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per URL")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--accept-encoding", default=BROWSER_ENCODINGS,
                        help="the Accept-Encoding header of every request (default: what browsers send; "
                             "'identity': uncompressed answers, as the bench asked before 2026-12-07)")
    parser.add_argument("--while-ingesting", action="store_true",
                        help="also load the site while the pipeline ingests the real pages")
    parser.add_argument("--client-niceness", type=int, default=-10,
                        help="wrk runs in a session of its own at this autogroup niceness, so that the load "
                             "generator, on the same cores as the server it loads, is not kept waiting for a CPU "
                             "by it (as on a client machine of its own); needs the privilege to lower a "
                             "niceness (root), else, and with 0, wrk shares the bench's session")
    parser.add_argument("--ingest-loop", help=argparse.SUPPRESS)  # internal: the ingesting process
    return parser.parse_args()


def _usable_client_niceness(wanted: int) -> int:
    """`wanted` when a session of wrk's own may be given it (Linux autogroups, the privilege), else 0.

    Under load on a 2-core machine, wrk's threads waited for a CPU 55-70% of the run in the bench's
    session, and one thread's 16 connections stalled together for up to ~450 ms: latency of the
    client, counted as the server's."""
    if wanted == 0 or not Path("/proc/self/autogroup").exists():
        return 0
    probe = subprocess.run(["sh", "-c", f"echo {wanted} > /proc/self/autogroup"], capture_output=True,
                           start_new_session=True, check=False)
    if probe.returncode != 0:
        print(f"wrk shares the bench's session: no privilege to run it at niceness {wanted}", flush=True)
        return 0
    return wanted


def _wrk(arguments: list[str], args: argparse.Namespace, check: bool = False) -> subprocess.CompletedProcess:
    command = ["wrk", *arguments]
    if args.client_niceness:
        command = ["sh", "-c", f'echo {args.client_niceness} > /proc/self/autogroup && exec "$@"', "sh", *command]
    return subprocess.run(command, capture_output=True, text=True, check=check,
                          start_new_session=bool(args.client_niceness))


def _load_while_ingesting(paths: dict[str, str], port: int, env: dict, data_dir: Path,
                          args: argparse.Namespace) -> dict:
    """The same load, while another process ingests the real pages into the same database."""
    import json
    import sqlite3

    from bench.corpus_outlets import CorpusOutlets, corpus_pages

    def stored() -> int:
        with sqlite3.connect(data_dir / "vistka.sqlite3", timeout=10) as db:
            return db.execute("SELECT COUNT(*) FROM core_article").fetchone()[0]

    with CorpusOutlets(corpus_pages(), outlets=10) as outlets:
        feeds = [(outlets.homepage(o), outlets.feed_url(o)) for o in range(outlets.outlets)]
        before = stored()
        log = (data_dir / "ingest.log").open("w")
        ingest = subprocess.Popen([sys.executable, "-m", "bench.bench_serve", "--ingest-loop", json.dumps(feeds)],
                                  env={**env, "VISTKA_FETCH_HOST_DELAY": "0", "VISTKA_FETCH_HOST_CONCURRENCY": "8"},
                                  start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120
            while stored() == before and time.monotonic() < deadline and ingest.poll() is None:
                time.sleep(0.5)  # until the first article is stored: the pipeline is running
            if ingest.poll() is not None:
                sys.exit(f"the ingesting process stopped:\n{(data_dir / 'ingest.log').read_text()[-3000:]}")
            started, at_start = time.monotonic(), stored()
            rows = [_load(name, f"http://127.0.0.1:{port}{path}", args) for name, path in paths.items()]
            elapsed, ingested = time.monotonic() - started, stored() - at_start
        finally:
            os.killpg(ingest.pid, signal.SIGTERM)
            ingest.wait(timeout=30)
            log.close()
    return {"rows": rows, "ingested": ingested, "seconds": elapsed}


def _ingest_loop(feeds_json: str) -> None:
    """The ingesting process: the embedded pipeline over the corpus outlets, pass after pass."""
    import json

    import django

    django.setup()
    from vistka.core.models import Source
    from vistka.pipeline.run import run_once

    sources = [Source.objects.create(name=f"Corpus outlet {n}", homepage=homepage, feed_url=feed, language="en")
               for n, (homepage, feed) in enumerate(json.loads(feeds_json))]
    while True:
        run_once(sources)
        time.sleep(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, timeout: float = 60) -> None:
    """Until the home page answers 200 (the port opens before the workers are ready)."""
    from urllib.request import urlopen

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit("gunicorn did not start")


class PeakMemory(threading.Thread):
    """Samples the resident memory of gunicorn's master and workers every 100 ms."""

    def __init__(self, root_pid: int):
        super().__init__(daemon=True)
        self.root_pid, self.peak_worker_mb, self.peak_total_mb = root_pid, 0.0, 0.0
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.wait(0.1):
            sizes = [_rss_mb(pid) for pid in [self.root_pid, *_children(self.root_pid)]]
            self.peak_worker_mb = max(self.peak_worker_mb, *sizes)
            self.peak_total_mb = max(self.peak_total_mb, sum(sizes))

    def stop(self) -> None:
        self._stopped.set()
        self.join()


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    found = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else 0.0


def _load(name: str, url: str, args: argparse.Namespace, count_cache: bool = True) -> dict:
    asking = ["-H", f"Accept-Encoding: {args.accept_encoding}"]
    _wrk(["-t1", "-c4", "-d3s", *asking, url], args)  # warm caches
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(CACHE_COUNTER)
        script.flush()
        counting = ["-s", script.name] if count_cache else []
        done = _wrk(["-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency", *asking, *counting, url], args,
                    check=True)
    cache = re.search(r"CACHE hits=(\d+) updating=(\d+) misses=(\d+)", done.stdout)
    counts = {"hits": int(cache.group(1)), "updating": int(cache.group(2)), "misses": int(cache.group(3))} if cache else {}
    return {"name": name, "url": url, **_parse_wrk(done.stdout), **counts}


def _parse_wrk(output: str) -> dict:
    def latency(percent: str) -> float:
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50": latency("50"), "p99": latency("99"), "errors": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else ""}


def _report(rows: list[dict], memory: PeakMemory, args: argparse.Namespace, busy: dict | None = None) -> None:
    by_name = {row["name"]: row for row in rows}
    client = (f"in a session of its own at niceness {args.client_niceness}" if args.client_niceness
              else "in the bench's session")
    print(f"\ngunicorn gthread, {args.workers} workers x {args.threads} threads; wrk 2 threads ({client}), "
          f"{args.connections} connections, {args.duration}s per URL, Accept-Encoding: {args.accept_encoding}; "
          f"{args.articles} articles\n")
    print(f"{'page':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>9}  url")
    for row in rows:
        print(f"{row['name']:<10}{row['rps']:>10.0f}{row['p50']:>10.2f}{row['p99']:>10.2f}{row['errors']:>9}  {row['url']}"
              + (f"  (socket errors: {row['socket_errors']})" if row["socket_errors"] else ""))
    hits, updating, misses = (sum(row.get(count, 0) for row in rows) for count in ("hits", "updating", "misses"))
    print(f"page cache: {hits} hits, {updating} updating, {misses} misses"
          + (f" (hit ratio {_hit_ratio(hits, updating, misses):.3f})" if hits + updating + misses else ""))
    ratio = by_name["article"]["rps"] / by_name["static"]["rps"]
    print(f"\npeak RSS: largest process {memory.peak_worker_mb:.0f} MB, all processes {memory.peak_total_mb:.0f} MB")
    results = {"home_p99_ms": by_name["home"]["p99"], "article_p99_ms": by_name["article"]["p99"],
               "search_p99_ms": by_name["search"]["p99"], "feed_p99_ms": by_name["feed"]["p99"],
               "article_vs_static": ratio, "rss_mb": memory.peak_worker_mb}
    for key, target in TARGETS.items():
        better = results[key] >= target if key == "article_vs_static" else results[key] <= target
        print(f"target {key} {'>=' if key == 'article_vs_static' else '<='} {target}: {'met' if better else 'MISSED'} "
              f"({results[key]:.2f})")
    if busy is not None:
        results.update(_report_busy(busy, by_name))
    print("RESULT " + " ".join(f"{key}={value:.2f}" for key, value in results.items()))


def _hit_ratio(hits: int, updating: int, misses: int) -> float:
    """Answers served from the page cache: fresh hits, and lagging lists served while being rendered
    again (`X-Cache: updating`, vistka/site/caching.py)."""
    served = hits + updating + misses
    return (hits + updating) / served if served else 0.0


def _report_busy(busy: dict, quiet: dict[str, dict]) -> dict[str, float]:
    rows = busy["rows"]
    print(f"\nwhile ingesting ({busy['ingested']} real pages stored during the {busy['seconds']:.0f} s of load, "
          f"{busy['ingested'] / busy['seconds']:.1f} pages/s):")
    print(f"{'page':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>9}{'hits':>9}{'updating':>9}{'misses':>8}"
          f"{'hit ratio':>10}")
    for row in rows:
        counts = [row.get(count, 0) for count in ("hits", "updating", "misses")]
        ratio = f"{_hit_ratio(*counts):>10.3f}" if any(counts) else f"{'-':>10}"
        print(f"{row['name']:<10}{row['rps']:>10.0f}{row['p50']:>10.2f}{row['p99']:>10.2f}{row['errors']:>9}"
              f"{counts[0]:>9}{counts[1]:>9}{counts[2]:>8}{ratio}")
    hits, updating, misses = (sum(row.get(count, 0) for row in rows) for count in ("hits", "updating", "misses"))
    by_name = {row["name"]: row for row in rows}
    results = {"busy_home_p99_ms": by_name["home"]["p99"], "busy_article_p99_ms": by_name["article"]["p99"],
               "busy_hit_ratio": _hit_ratio(hits, updating, misses),
               "busy_article_vs_static": by_name["article"]["rps"] / by_name["static"]["rps"]}
    for key, target in BUSY_TARGETS.items():
        met = results[key] >= target if key == "busy_hit_ratio" else results[key] <= target
        print(f"target {key} {'>=' if key == 'busy_hit_ratio' else '<='} {target}: {'met' if met else 'MISSED'} "
              f"({results[key]:.2f})")
    return results


if __name__ == "__main__":
    main()
