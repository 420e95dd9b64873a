"""`make bench-servers`: which WSGI server `vistka serve` / `vistka run` should use, measured.

Builds the sample database once (as `make bench-serve` does), then serves the same site in turn with
Django's runserver (what vistka used), gunicorn exactly as `vistka serve` starts it
(vistka.cli.webserver.gunicorn_command), and waitress (a pure-Python, cross-platform server), and
loads each with wrk at --connections clients: the home page (a page-cache hit: the server's own
overhead shows) and a search (rendered on every request: Python work per request). Prints a table
and one RESULT line.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.bench_serve import _free_port, _load, _wait_for


def _servers(port: int, workers: int) -> dict[str, list[str]]:
    from vistka.cli.webserver import THREADS_PER_WORKER, gunicorn_command

    return {
        "runserver": [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
        "gunicorn": gunicorn_command("127.0.0.1", port, workers),
        "waitress": [sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}",
                     f"--threads={workers * THREADS_PER_WORKER}", "vistka.config.wsgi:application"],
    }


def main() -> None:
    args = _arguments()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: `apt-get install wrk` (make bench-servers installs it as root)")
    data_dir = Path(tempfile.mkdtemp(prefix="vistka-bench-servers-"))
    env = {**os.environ, "VISTKA_DATA_DIR": str(data_dir), "VISTKA_PUBLISH_UNTRANSLATED": "1",
           "VISTKA_FETCH_ALLOW_HOSTS": "127.0.0.1", "DJANGO_SETTINGS_MODULE": "vistka.config.settings"}
    env.pop("VISTKA_DATABASE_URL", None)
    print(f"building the sample database in {data_dir} ({args.articles} articles)...", flush=True)
    built = subprocess.run([sys.executable, "-m", "bench.serve_data", str(args.articles)], env=env,
                           capture_output=True, text=True, check=False)
    if built.returncode != 0:
        sys.exit(f"building the database failed:\n{built.stderr[-3000:]}")
    paths = dict(line.split("=", 1) for line in built.stdout.split() if "=" in line)
    rows = []
    try:
        for name in args.servers.split(","):
            port = _free_port()
            command = _servers(port, args.workers)[name]
            print(f"{name}: {' '.join(command[1:])}", flush=True)
            server = subprocess.Popen(command, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
            try:
                _wait_for(port)
                for page in ("home", "search"):
                    rows.append({"server": name, "page": page,
                                 **_load(page, f"http://127.0.0.1:{port}{paths[page]}", args)})
            finally:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    _report(rows, args)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=2000, help="articles in the database")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per URL and server")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (waitress: workers x 4 threads)")
    parser.add_argument("--servers", default="runserver,gunicorn,waitress")
    return parser.parse_args()


def _report(rows: list[dict], args: argparse.Namespace) -> None:
    print(f"\n{os.cpu_count()} CPUs; wrk 2 threads, {args.connections} connections, {args.duration}s per URL; "
          f"{args.articles} articles; gunicorn {args.workers} workers x 4 threads\n")
    print(f"{'server':<11}{'page':<8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}  socket errors")
    for row in rows:
        print(f"{row['server']:<11}{row['page']:<8}{row['rps']:>9.0f}{row['p50']:>9.2f}{row['p99']:>9.2f}"
              f"{row['errors']:>9}  {row['socket_errors']}")
    results = {f"{row['server']}_{row['page']}_{key}": row[value]
               for row in rows for key, value in (("rps", "rps"), ("p99_ms", "p99"))}
    print("RESULT " + " ".join(f"{key}={value:.1f}" for key, value in results.items()))


if __name__ == "__main__":
    main()
