"""Distributed mode for real: PostgreSQL + Celery workers on Redis, against the sample outlets."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.services import fresh_postgres_database, fresh_redis
from vistka.samples import load_gold

pytestmark = pytest.mark.services
GOLD = load_gold()
VISTKA = [sys.executable, "-m", "vistka.cli"]
ARTICLE_ROWS = "SELECT url, status, title, language, content_hash FROM core_article ORDER BY url"
STORY_ROWS = "SELECT url, story_id FROM core_article WHERE story_id IS NOT NULL"


def vistka_env(data_dir: Path, database_url: str = "", broker_url: str = "") -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("VISTKA_")}
    env.update(VISTKA_DATA_DIR=str(data_dir), VISTKA_DATABASE_URL=database_url, VISTKA_BROKER_URL=broker_url,
               VISTKA_FETCH_ALLOW_HOSTS="127.0.0.1", VISTKA_TRANSLATION_ENGINE="none",
               VISTKA_TASK_VISIBILITY_TIMEOUT="4", VISTKA_FETCH_HOST_DELAY="0", VISTKA_STORY_SETTLE_DELAY="2",
               DJANGO_SETTINGS_MODULE="vistka.config.settings",
               PYTHONUNBUFFERED="1")
    return env


def run_vistka(env: dict, *args: str, timeout: float = 120) -> str:
    done = subprocess.run([*VISTKA, *args], env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def start_worker(env: dict, log: Path, concurrency: int = 2) -> subprocess.Popen:
    return subprocess.Popen([*VISTKA, "worker", f"--concurrency={concurrency}"], env=env,
                            stdout=log.open("a"), stderr=subprocess.STDOUT, start_new_session=True)


def kill_hard(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            kill_hard(process)


def postgres_rows(database_url: str, query: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(database_url) as connection:
        return connection.execute(query).fetchall()


def sqlite_rows(data_dir: Path, query: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "vistka.sqlite3") as connection:
        return connection.execute(query).fetchall()


def wait_until_settled(database_url: str, expected: int, timeout: float = 300) -> list[tuple]:
    """Every expected article stored and past processing, and nothing (stories included: the settling
    pass runs VISTKA_STORY_SETTLE_DELAY after the last one) changing for a few seconds."""
    # (300 s: with every sample article now published and grouped, a killed-and-restarted run on a
    # loaded 2-core machine has taken up to 150 s.)
    deadline, previous, quiet = time.monotonic() + timeout, None, 0
    while time.monotonic() < deadline:
        rows = postgres_rows(database_url, ARTICLE_ROWS)
        stories = story_partition(postgres_rows(database_url, STORY_ROWS))
        settled = len(rows) == expected and all(row[1] not in ("fetched", "failed") for row in rows)
        quiet = quiet + 1 if settled and (rows, stories) == previous else 0
        if quiet >= 3:
            return rows
        previous = rows, stories
        time.sleep(1.5)
    raise AssertionError(f"not settled after {timeout}s: {len(previous[0] if previous else [])} of {expected} articles")


def story_partition(rows: list[tuple]) -> set[frozenset]:
    groups: dict = {}
    for url, story in rows:
        groups.setdefault(story, set()).add(url)
    return {frozenset(urls) for urls in groups.values()}


def test_two_workers_give_the_same_result_as_the_embedded_default_and_share_politeness(sample_server, tmp_path):
    embedded_dir = tmp_path / "embedded"
    run_vistka(vistka_env(embedded_dir), "demo", "--no-serve", "--outlets-url", sample_server.base_url)
    expected_articles = sqlite_rows(embedded_dir, ARTICLE_ROWS)
    assert len(expected_articles) == len(GOLD)

    with fresh_postgres_database() as database_url, fresh_redis() as broker_url:
        env = vistka_env(tmp_path / "distributed", database_url, broker_url) | {"VISTKA_FETCH_HOST_DELAY": "0.1"}
        run_vistka(env, "manage", "migrate", "--verbosity=0")
        workers = [start_worker(env, tmp_path / f"worker{n}.log") for n in (1, 2)]
        try:
            first_request = len(sample_server.request_times)
            run_vistka(env, "demo", "--no-serve", "--queue", "--outlets-url", sample_server.base_url)
            articles = wait_until_settled(database_url, len(GOLD))
            stories = postgres_rows(database_url, STORY_ROWS)
            times = sample_server.request_times[first_request:]
        finally:
            for process in workers:
                stop(process)
    assert articles == expected_articles
    # 4 worker processes, one host (127.0.0.1): starts are reserved 0.1 s apart in Redis. Arrival
    # times at the server carry each client's scheduling jitter, so check the pace, not every gap.
    gaps = sorted(later - earlier for earlier, later in zip(times, times[1:], strict=False))
    assert len(times) > len(GOLD)
    assert times[-1] - times[0] >= 0.95 * 0.1 * (len(times) - 1)
    assert gaps[len(gaps) // 2] >= 0.09, gaps
    ours, theirs = story_partition(stories), story_partition(sqlite_rows(embedded_dir, STORY_ROWS))
    assert ours == theirs, (sorted(map(sorted, ours - theirs)), sorted(map(sorted, theirs - ours)))


def test_worker_killed_mid_run_loses_and_duplicates_nothing(sample_server, tmp_path):
    with fresh_postgres_database() as database_url, fresh_redis() as broker_url:
        env = vistka_env(tmp_path / "data", database_url, broker_url)
        run_vistka(env, "manage", "migrate", "--verbosity=0")
        log = tmp_path / "worker.log"
        first = start_worker(env, log, concurrency=1)
        try:
            run_vistka(env, "demo", "--no-serve", "--queue", "--outlets-url", sample_server.base_url)
            deadline = time.monotonic() + 60
            while len(postgres_rows(database_url, ARTICLE_ROWS)) < 5 and time.monotonic() < deadline:
                time.sleep(0.05)
            stored_when_killed = len(postgres_rows(database_url, ARTICLE_ROWS))
            kill_hard(first)
            assert stored_when_killed < len(GOLD), "the worker finished before it could be killed"
            second = start_worker(env, log, concurrency=1)
            try:
                articles = wait_until_settled(database_url, len(GOLD))
            finally:
                stop(second)
        finally:
            stop(first)
        urls = [row[0] for row in articles]
        assert sorted(urls) == sorted(entry["url"].replace("{{BASE}}", sample_server.base_url) for entry in GOLD)
        assert len(urls) == len(set(urls))
        published_without_story = postgres_rows(
            database_url, "SELECT count(*) FROM core_article WHERE status = 'published' AND story_id IS NULL")
        assert published_without_story == [(0,)]


def test_host_slots_are_shared_between_limiters():
    import threading

    from vistka.workers.limiter import RedisHostLimiter

    with fresh_redis() as url:
        limiters = [RedisHostLimiter(url, min_delay=0, max_concurrent=1) for _ in range(3)]
        inside, overlaps = [], []

        def fetch_twice(limiter):
            for _ in range(2):
                with limiter.slot("outlet.test"):
                    inside.append(1)
                    overlaps.append(len(inside))
                    time.sleep(0.05)
                    inside.pop()

        threads = [threading.Thread(target=fetch_twice, args=(limiter,)) for limiter in limiters]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
    assert len(overlaps) == 6 and max(overlaps) == 1
