"""vistka/pipeline/arenas.py: the embedded pipeline's threads share two malloc arenas (glibc)."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vistka.pipeline import arenas, run

ROOT = Path(__file__).resolve().parents[2]
# Six threads alive at once, each allocating; then glibc's own account of its arenas (malloc_info's <heap>s).
COUNT_ARENAS = """
import ctypes, ctypes.util, os, re, sys, tempfile, threading
from vistka.pipeline.arenas import limit_malloc_arenas
if sys.argv[1] == "limited":
    assert limit_malloc_arenas()
barrier, kept = threading.Barrier(7), []
def allocate():
    kept.append(bytearray(1 << 20))
    barrier.wait()
    barrier.wait()
threads = [threading.Thread(target=allocate) for _ in range(6)]
for thread in threads:
    thread.start()
barrier.wait()
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.fdopen.restype = ctypes.c_void_p
with tempfile.TemporaryFile() as out:
    stream = libc.fdopen(os.dup(out.fileno()), b"w")
    libc.malloc_info(0, ctypes.c_void_p(stream))
    libc.fclose(ctypes.c_void_p(stream))
    out.seek(0)
    print(len(re.findall(rb'<heap nr="', out.read())))
barrier.wait()
"""


def glibc() -> bool:
    try:
        return hasattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), "malloc_info")
    except OSError:
        return False


def arenas_used(mode: str) -> int:
    env = {key: value for key, value in os.environ.items() if key != "MALLOC_ARENA_MAX"}
    done = subprocess.run([sys.executable, "-c", COUNT_ARENAS, mode], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux") or not glibc(), reason="malloc arenas are glibc's")
def test_threads_share_two_arenas_once_limited():
    assert arenas_used("free") >= 6  # an arena a thread, as glibc does by default
    assert arenas_used("limited") <= arenas.PIPELINE_ARENAS


def test_an_arena_limit_set_in_the_environment_stands(monkeypatch):
    arenas.limit_malloc_arenas.cache_clear()
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert arenas.limit_malloc_arenas() is False
    arenas.limit_malloc_arenas.cache_clear()


@pytest.mark.django_db
def test_a_pass_limits_the_arenas_before_it_starts_its_threads(monkeypatch):
    limited = []
    monkeypatch.setattr(run, "limit_malloc_arenas", lambda: limited.append(True))
    assert run.poll_sources([]) == [] and limited == [True]
