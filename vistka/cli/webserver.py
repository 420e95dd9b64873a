"""The site's web server for `vistka serve`, `vistka run` and `vistka demo`: gunicorn, not runserver.

Django's runserver is a development server (its own documentation says never to use it in
production): one process, a thread per connection, no worker recycling. gunicorn (a dependency
already, and what docs/deployment.md runs) was measured against it and waitress on the same site
(`make bench-servers`, figures in docs/deployment.md "The web server"): gunicorn's worker processes
serve pages on every core, and a page being rendered never waits for the poller's extraction work,
which holds the GIL in a single-process server.

gunicorn runs as a child process started with this interpreter (`python -m gunicorn`), so the parent
may keep threads of its own (`vistka run`'s scheduler, the demo's sample outlets) without forking
them; stopping the parent (Ctrl-C, SIGTERM) stops gunicorn gracefully.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import click

THREADS_PER_WORKER = 4


def default_workers() -> int:
    """One worker per core, at least 2 (one slow page never blocks the site) and at most 8 (memory)."""
    return min(max(os.cpu_count() or 1, 2), 8)


def gunicorn_command(host: str, port: int, workers: int = 0) -> list[str]:
    bind = f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"
    return [
        sys.executable, "-m", "gunicorn", "vistka.config.wsgi",
        "--bind", bind,
        "--workers", str(workers or default_workers()),
        # Threads keep a slow client or a keep-alive connection from holding a whole worker.
        "--worker-class", "gthread", "--threads", str(THREADS_PER_WORKER),
        # Load the site once and fork: workers share its memory (vistka.config.wsgi freezes it for that).
        "--preload",
        *heartbeat_in_memory(),
        "--timeout", "120", "--graceful-timeout", "20",
        "--error-logfile", "-", "--log-level", "info",
    ]


def heartbeat_in_memory() -> list[str]:
    """gunicorn's workers tell the master they are alive by changing a temporary file's mode between
    requests; in /tmp, on the disk, that call waits behind the pipeline's writes (database commits,
    pictures) and the worker stops answering meanwhile. In memory (/dev/shm) it never waits, as
    gunicorn's own documentation advises."""
    return ["--worker-tmp-dir", "/dev/shm"] if os.path.isdir("/dev/shm") else []


def check_platform() -> None:
    try:
        import fcntl  # noqa: F401 -- gunicorn needs it; Windows has none
    except ImportError:
        raise click.ClickException("gunicorn, vistka's web server, runs on Linux, macOS and other Unix systems "
                                   "only; on Windows run vistka in WSL or a container") from None


def serve_site(host: str, port: int, workers: int = 0) -> int:
    """Run gunicorn until it exits or this process is asked to stop; return gunicorn's exit status."""
    check_platform()
    server = subprocess.Popen(gunicorn_command(host, port, workers))
    previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        return _wait(server)
    except KeyboardInterrupt:
        return _stop(server)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if server.poll() is None:
            _stop(server)


def _wait(server: subprocess.Popen) -> int:
    """server.wait(), a second at a time. A stop signal goes to any thread of this process that does
    not block it (numpy's OpenBLAS starts one at import); Python runs its handler in the main thread,
    but only once that thread runs again: blocked in one endless wait for gunicorn, it never did, and
    `vistka serve` went on serving after SIGTERM."""
    while True:
        try:
            return server.wait(timeout=1)
        except subprocess.TimeoutExpired:
            continue


def _raise_keyboard_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _stop(server: subprocess.Popen) -> int:
    """SIGTERM is gunicorn's graceful stop (requests in flight finish); kill it if it hangs."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
    try:
        return server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        return server.wait()
