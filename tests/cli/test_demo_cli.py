"""`vistka demo` as a newcomer runs it: a few readable lines, and a busy port is one line before any work."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from vistka.samples import load_gold

VISTKA = [sys.executable, "-m", "vistka.cli"]
ROOT = Path(__file__).resolve().parents[2]


def demo_env(data_dir: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("VISTKA_")}
    env.update(VISTKA_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="vistka.config.settings", PYTHONUNBUFFERED="1")
    return env


def run_demo(data_dir: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*VISTKA, "demo", *args], env=demo_env(data_dir), capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def busy_port():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


@pytest.mark.parametrize("option", ["--port", "--outlets-port"])
def test_a_busy_port_is_one_line_before_any_ingest(tmp_path, busy_port, option):
    other = "--outlets-port" if option == "--port" else "--port"
    done = run_demo(tmp_path, option, str(busy_port), other, str(free_port()), timeout=60)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    lines = (done.stderr + done.stdout).strip().splitlines()
    assert len(lines) == 1, lines
    assert f"port {busy_port}" in lines[0] and option in lines[0] and "make demo" in lines[0]
    assert not (tmp_path / "vistka.sqlite3").exists()  # nothing was set up, let alone ingested


def test_the_demo_prints_one_translation_line_and_one_summary(tmp_path):
    done = run_demo(tmp_path, "--no-serve", "--outlets-port", str(free_port()))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    translation = [line for line in lines if line.startswith("translation:")]
    assert len(translation) == 1 and "editors' translations" in translation[0], lines
    summary = [line for line in lines if line.startswith("run:")]
    assert len(summary) == 1, lines
    ukrainian = sum(entry["language"] == "uk" for entry in load_gold())
    match = re.search(r"run: (\d+) new articles stored from 6 outlets; (\d+) in all, (\d+) published", summary[0])
    assert match and int(match[1]) == int(match[2]) == len(load_gold()), summary
    assert int(match[3]) >= len(load_gold()) - ukrainian + 78  # the English outlet and the translated samples
    assert "127.0.0.1" not in summary[0]
    assert len(lines) <= 3, lines  # translation, where the outlets are, the summary
    # Per-article messages are in the log file, not on the terminal (the progress bar is on stderr).
    assert "WARNING" not in done.stdout + done.stderr
    assert (tmp_path / "demo.log").exists()
