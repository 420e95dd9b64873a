"""`vistka run`: the scheduler and the web server in one process, as an operator starts it."""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

VISTKA = [sys.executable, "-m", "vistka.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def operator_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VISTKA_", "DJANGO_"))}
    env.update(VISTKA_DATA_DIR=str(data_dir), VISTKA_FETCH_ALLOW_HOSTS="127.0.0.1", VISTKA_FETCH_HOST_DELAY="0",
               VISTKA_TRANSLATION_ENGINE="none")
    return env


def source_health(data_dir: Path) -> tuple | None:
    try:
        with sqlite3.connect(data_dir / "vistka.sqlite3", timeout=1) as db:
            return db.execute("SELECT last_success_at, next_poll_at, (SELECT COUNT(*) FROM core_article) "
                              "FROM core_source").fetchone()
    except sqlite3.Error:
        return None


def test_run_polls_on_schedule_and_serves_the_site(sample_server, tmp_path):
    env = operator_env(tmp_path)
    feed = f"{sample_server.base_url}/svoboda/rss.xml"
    added = subprocess.run([*VISTKA, "sources", "add", "Svoboda", feed, "--language", "uk", "--no-discover"],
                           env=env, capture_output=True, text=True, timeout=120)
    assert added.returncode == 0, added.stderr
    port = free_port()
    server = subprocess.Popen([*VISTKA, "run", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, site_status, health = time.monotonic() + 90, None, None
        while time.monotonic() < deadline and not (site_status == 200 and health and health[0]):
            time.sleep(0.5)
            with contextlib.suppress(httpx.HTTPError):
                site_status = httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code
            health = source_health(tmp_path)
        assert site_status == 200
        assert health and health[0] and health[1] > health[0] and health[2] > 0, health
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0]
    assert "scheduler started" in output
