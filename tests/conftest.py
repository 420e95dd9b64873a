"""Test-wide setup: a throw-away data dir, the sample outlets on a local server, a tiny model."""

from __future__ import annotations

import os

import pytest


def require_service(name: str, reason: str) -> None:
    """Skip when a local service is missing, unless CI demands it (VISTKA_REQUIRE_SERVICES=1)."""
    if os.environ.get("VISTKA_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{name} is required on CI but unavailable: {reason}")
    pytest.skip(f"{name} unavailable: {reason}")


@pytest.fixture(scope="session")
def sample_server():
    from vistka.samples.server import SampleOutletServer

    with SampleOutletServer() as server:
        yield server


@pytest.fixture(scope="session")
def tiny_package(tmp_path_factory):
    """A real Argos-format uk→en package with random weights, built without any download."""
    from vistka.testing.tiny_model import build_tiny_argos_package

    return build_tiny_argos_package(tmp_path_factory.mktemp("tiny-model"), "uk", "en", zip=True)


@pytest.fixture(autouse=True)
def fresh_story_index():
    """Each test's database starts over, so this process's warm story index must too (in production
    the index notices a vanished database state itself; see WarmIndex.sync)."""
    from vistka.pipeline.stories import grouping

    grouping.WARM = grouping.WarmIndex()
    yield


@pytest.fixture(autouse=True)
def untuned_garbage_collector(monkeypatch):
    """`vistka fetch` invoked in this process (CliRunner) would freeze the test session's objects and
    change its collector for every later test: the tuning is the pipeline processes' (test_garbage.py)."""
    from vistka.pipeline import garbage

    monkeypatch.setattr(garbage, "tune_for_the_pipeline", lambda: None)


@pytest.fixture(autouse=True)
def fresh_robots_cache(monkeypatch):
    """robots.txt verdicts are cached per origin for a day; a later test's local server can get a
    port an earlier one had, and must not inherit that server's robots.txt."""
    from vistka.pipeline.fetch import robots

    monkeypatch.setattr(robots, "_shared", robots.RobotsCache())
