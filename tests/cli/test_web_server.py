"""`vistka serve`, `vistka run` and `vistka demo` serve the site with gunicorn, not Django's runserver,
and stopping the command stops every web process it started."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.cli.test_run_command import VISTKA, free_port, operator_env

pytestmark = pytest.mark.skipif(os.name != "posix", reason="gunicorn runs on Unix systems only")


def _children(pid: int) -> set[int]:
    """Every descendant process of pid (from /proc)."""
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            with contextlib.suppress(OSError):
                for child in (task / "children").read_text().split():
                    found.add(int(child))
                    todo.append(int(child))
    return found


def _web_processes(pid: int, wanted: int = 3, timeout: float = 30) -> set[int]:
    """The command's descendants once there are `wanted` of them: gunicorn forks its workers one after
    another, and the first may answer the site before the master has forked the second."""
    deadline = time.monotonic() + timeout
    found = _children(pid)
    while len(found) < wanted and time.monotonic() < deadline:
        time.sleep(0.1)
        found = _children(pid)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _wait_for_site(port: int, process: subprocess.Popen, timeout: float = 120) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the command exited with {process.returncode}: {process.communicate()[0][-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            response = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
            if response.status_code == 200:
                return response
        time.sleep(0.3)
    pytest.fail("the site never answered")


def _serve_then_stop(command: list[str], env: dict, port: int, timeout: float = 120) -> tuple[httpx.Response, str]:
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        response = _wait_for_site(port, process, timeout)
        web = _web_processes(process.pid)
        # A master and workers (--workers 2), each a separate process: not runserver's single process.
        assert len(web) >= 3, web
        process.send_signal(signal.SIGTERM)  # as systemd or a test runner stops it
        output = process.communicate(timeout=60)[0]
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in web) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in web), "web processes outlived the command"
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
        return response, output
    finally:
        if process.poll() is None:  # a failure: nothing it started may linger holding its output open
            leftovers = _children(process.pid)
            process.kill()
            for pid in leftovers:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            process.communicate(timeout=30)


def test_serve_uses_gunicorn_and_stops_with_the_command(tmp_path):
    port = free_port()
    env = {**operator_env(tmp_path), "VISTKA_WEB_WORKERS": "2"}
    response, output = _serve_then_stop([*VISTKA, "serve", "--port", str(port)], env, port)
    assert response.headers["server"] == "gunicorn"  # runserver answers "WSGIServer/0.2 CPython/3.x"
    assert "Booting worker" in output and "gthread" in output


def test_run_serves_with_gunicorn_while_the_scheduler_polls(tmp_path):
    port = free_port()
    env = {**operator_env(tmp_path), "VISTKA_WEB_WORKERS": "2"}
    response, output = _serve_then_stop([*VISTKA, "run", "--port", str(port)], env, port)
    assert response.headers["server"] == "gunicorn"
    assert "scheduler started" in output


def test_demo_serves_with_gunicorn(sample_server, tmp_path):
    port = free_port()
    env = {**operator_env(tmp_path), "VISTKA_WEB_WORKERS": "2", "VISTKA_PUBLISH_UNTRANSLATED": "1"}
    response, output = _serve_then_stop(
        [*VISTKA, "demo", "--port", str(port), "--outlets-url", sample_server.base_url], env, port, timeout=300)
    assert response.headers["server"] == "gunicorn" and "<article" in response.text
    assert "news site at" in output


def test_gunicorn_command_binds_ipv6_hosts_in_brackets():
    from vistka.cli.webserver import gunicorn_command

    command = gunicorn_command("::1", 8000, 3)
    assert command[command.index("--bind") + 1] == "[::1]:8000" and command[command.index("--workers") + 1] == "3"
    assert sys.executable == command[0]


def test_gunicorns_heartbeat_file_is_in_memory_where_there_is_dev_shm(monkeypatch):
    """The workers' heartbeat (a file's mode changed between requests) must not wait behind the
    pipeline's disk writes: in /dev/shm where the system has it, else gunicorn's default."""
    from vistka.cli import webserver

    command = webserver.gunicorn_command("127.0.0.1", 8000, 2)
    if os.path.isdir("/dev/shm"):
        assert command[command.index("--worker-tmp-dir") + 1] == "/dev/shm"
    monkeypatch.setattr(webserver.os.path, "isdir", lambda path: False)
    assert "--worker-tmp-dir" not in webserver.gunicorn_command("127.0.0.1", 8000, 2)


def test_the_web_processes_switch_threads_every_millisecond(tmp_path):
    """A re-render holds the interpreter in bursts; the cache hits beside it in the same worker must not
    wait the default 5 ms for each turn (vistka.config.wsgi)."""
    shown = subprocess.run([sys.executable, "-c", "import sys, vistka.config.wsgi; print(sys.getswitchinterval())"],
                           env={**os.environ, "VISTKA_DATA_DIR": str(tmp_path),
                                "DJANGO_SETTINGS_MODULE": "vistka.config.settings"},
                           capture_output=True, text=True, check=True).stdout.split()
    assert float(shown[-1]) == 0.001


def test_a_stop_signal_that_another_thread_receives_still_stops_the_server():
    """SIGTERM goes to any thread of the process that does not block it (numpy's OpenBLAS starts one
    at import), and Python runs the handler in the main thread once that thread runs again. The main
    thread waited for gunicorn without end: `vistka serve` kept serving after SIGTERM (seen once in
    the suite: its test hung, gunicorn orphaned)."""
    script = (
        "import signal, sys, threading, time\n"
        "from vistka.cli import webserver\n"
        "webserver.check_platform = lambda: None\n"
        "webserver.gunicorn_command = lambda *args: [sys.executable, '-c', 'import time; time.sleep(60)']\n"
        "threading.Timer(1.0, lambda: signal.pthread_kill(threading.get_ident(), signal.SIGTERM)).start()\n"
        "started = time.monotonic()\n"
        "status = webserver.serve_site('127.0.0.1', 0)\n"
        "print(round(time.monotonic() - started), status)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=45)
    seconds, status = done.stdout.split()
    assert int(seconds) < 10 and int(status) == -signal.SIGTERM, done.stderr
