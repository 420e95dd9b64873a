"""`make bench-serve`: the site under load from a second process, next to a static file.

Builds a sample database (the bundled outlets ingested by the real pipeline, then cloned up to
--articles articles so lists, search and feeds work on a realistic table), serves it with gunicorn,
and loads each URL with wrk at --connections concurrent clients. Prints a table and one RESULT line.
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

TARGETS = {"home_p99_ms": 50.0, "article_p99_ms": 50.0, "article_vs_static": 0.40, "rss_mb": 250.0}


def main() -> None:
    args = _arguments()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: `apt-get install wrk` (make bench-serve installs it as root)")
    data_dir = Path(tempfile.mkdtemp(prefix="vistka-bench-"))
    env = {**os.environ, "VISTKA_DATA_DIR": str(data_dir), "VISTKA_PUBLISH_UNTRANSLATED": "1",
           "VISTKA_FETCH_ALLOW_HOSTS": "127.0.0.1", "DJANGO_SETTINGS_MODULE": "vistka.config.settings"}
    env.pop("VISTKA_DATABASE_URL", None)
    print(f"building the sample database in {data_dir} ({args.articles} articles)...", flush=True)
    built = subprocess.run([sys.executable, "-m", "bench.serve_data", str(args.articles)], env=env,
                           capture_output=True, text=True, check=False)
    if built.returncode != 0:
        sys.exit(f"building the database failed:\n{built.stderr[-3000:]}")
    paths = dict(line.split("=", 1) for line in built.stdout.split() if "=" in line)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "vistka.config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--worker-class", "gthread", "--threads", str(args.threads),
         "--preload", "--log-level", "warning"],
        env=env, start_new_session=True)
    try:
        _wait_for(port)
        memory = PeakMemory(server.pid)
        memory.start()
        rows = [_load(name, f"http://127.0.0.1:{port}{path}", args) for name, path in paths.items()]
        memory.stop()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
    _report(rows, memory, args)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=2000, help="articles in the database")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per URL")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    return parser.parse_args()


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


def _load(name: str, url: str, args: argparse.Namespace) -> dict:
    subprocess.run(["wrk", "-t1", "-c4", "-d3s", url], capture_output=True, check=False)  # warm caches
    done = subprocess.run(["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency", url],
                          capture_output=True, text=True, check=True)
    return {"name": name, "url": url, **_parse_wrk(done.stdout)}


def _parse_wrk(output: str) -> dict:
    def latency(percent: str) -> float:
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50": latency("50"), "p99": latency("99"), "errors": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else ""}


def _report(rows: list[dict], memory: PeakMemory, args: argparse.Namespace) -> None:
    by_name = {row["name"]: row for row in rows}
    print(f"\ngunicorn gthread, {args.workers} workers x {args.threads} threads; wrk 2 threads, "
          f"{args.connections} connections, {args.duration}s per URL; {args.articles} articles\n")
    print(f"{'page':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>9}  url")
    for row in rows:
        print(f"{row['name']:<10}{row['rps']:>10.0f}{row['p50']:>10.2f}{row['p99']:>10.2f}{row['errors']:>9}  {row['url']}"
              + (f"  (socket errors: {row['socket_errors']})" if row["socket_errors"] else ""))
    ratio = by_name["article"]["rps"] / by_name["static"]["rps"]
    print(f"\npeak RSS: largest process {memory.peak_worker_mb:.0f} MB, all processes {memory.peak_total_mb:.0f} MB")
    results = {"home_p99_ms": by_name["home"]["p99"], "article_p99_ms": by_name["article"]["p99"],
               "search_p99_ms": by_name["search"]["p99"], "feed_p99_ms": by_name["feed"]["p99"],
               "article_vs_static": ratio, "rss_mb": memory.peak_worker_mb}
    for key, target in TARGETS.items():
        better = results[key] >= target if key == "article_vs_static" else results[key] <= target
        print(f"target {key} {'>=' if key == 'article_vs_static' else '<='} {target}: {'met' if better else 'MISSED'} "
              f"({results[key]:.2f})")
    print("RESULT " + " ".join(f"{key}={value:.2f}" for key, value in results.items()))


if __name__ == "__main__":
    main()
