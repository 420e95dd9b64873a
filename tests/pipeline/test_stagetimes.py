"""Where ingest time goes (stagetimes.py): each stage's wall time and its own CPU time, nested stages
counted once, times from an extraction process merged in."""

from __future__ import annotations

import time

import pytest

from vistka.pipeline import stagetimes


def burn(seconds: float) -> None:
    ends = time.thread_time() + seconds
    while time.thread_time() < ends:
        pass


def test_a_stage_that_waits_costs_wall_time_and_almost_no_cpu():
    with stagetimes.recording() as recorder:
        with stagetimes.stage("fetch"):
            time.sleep(0.2)
        with stagetimes.stage("extract"):
            burn(0.1)
    assert recorder.seconds["fetch"] >= 0.2 and recorder.cpu["fetch"] < 0.05
    assert recorder.cpu["extract"] >= 0.1


def test_a_nested_stage_is_not_counted_in_the_stage_around_it():
    started = time.perf_counter()
    with stagetimes.recording() as recorder, stagetimes.stage("store"):
        burn(0.05)
        with stagetimes.stage("language"):
            burn(0.1)
    elapsed = time.perf_counter() - started
    assert recorder.cpu["language"] >= 0.1
    assert 0.05 <= recorder.cpu["store"] < 0.1
    assert recorder.seconds["store"] + recorder.seconds["language"] <= elapsed  # not counted twice


def test_times_from_another_process_are_merged_with_their_cpu():
    elsewhere = stagetimes.Recorder()
    with stagetimes.stage("extract", elsewhere):
        burn(0.05)
    handed_back = elsewhere.times()
    assert set(handed_back) == {"extract"} and handed_back["extract"][1] >= 0.05
    with stagetimes.recording() as recorder:
        stagetimes.merge(handed_back)
        stagetimes.merge({"extract": (1.0, 0.5)})
    assert recorder.seconds["extract"] == handed_back["extract"][0] + 1.0
    assert recorder.cpu["extract"] == handed_back["extract"][1] + 0.5


def test_nothing_is_recorded_unless_a_recorder_is_on():
    with stagetimes.stage("fetch"):
        pass
    stagetimes.merge({"fetch": (1.0, 1.0)})  # no recorder: dropped
    with stagetimes.recording() as recorder:
        pass
    assert recorder.times() == {}


@pytest.mark.django_db
def test_settling_after_a_pass_is_timed_as_stories(monkeypatch):
    from vistka.pipeline import run
    from vistka.pipeline.stories import settle

    monkeypatch.setattr(settle, "settle_recent", lambda: burn(0.05))
    with stagetimes.recording() as recorder:
        run.after_pass()
    assert recorder.cpu["stories"] >= 0.05
