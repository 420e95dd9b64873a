"""The pipeline's processes freeze their start-up objects and collect young objects less often."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from vistka.pipeline import garbage

ROOT = Path(__file__).resolve().parents[2]


def test_tuning_freezes_what_the_process_holds_once_and_collects_young_objects_less_often():
    script = (
        "import gc\n"
        "from vistka.pipeline.garbage import tune_for_the_pipeline, YOUNGEST_THRESHOLD\n"
        "assert gc.get_freeze_count() == 0\n"
        "tune_for_the_pipeline()\n"
        "frozen = gc.get_freeze_count()\n"
        "later = [[n] for n in range(1000)]  # objects made after start-up are collected as ever\n"
        "tune_for_the_pipeline()\n"
        "print(frozen > 1000, gc.get_freeze_count() == frozen, gc.get_threshold()[0] == YOUNGEST_THRESHOLD)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["True", "True", "True"], done.stderr


def test_an_extraction_process_is_tuned_once_started(pool):
    assert pool.submit(gc.get_freeze_count).result() > 1000
    assert pool.submit(gc.get_threshold).result()[0] == garbage.YOUNGEST_THRESHOLD


@pytest.mark.django_db
def test_vistka_fetch_tunes_its_process_before_polling(monkeypatch):
    from vistka.cli import main
    from vistka.pipeline import run

    happened = []
    monkeypatch.setattr(garbage, "tune_for_the_pipeline", lambda: happened.append("tuned"))
    monkeypatch.setattr(run, "run_once", lambda sources, progress: happened.append("polled") or [])
    result = CliRunner().invoke(main, ["fetch"])
    assert result.exit_code == 0, result.output
    assert happened == ["tuned", "polled"]


@pytest.mark.django_db
def test_vistka_run_tunes_its_process_before_its_scheduler_starts(monkeypatch):
    from vistka.cli import main
    from vistka.pipeline import loop

    happened = []
    monkeypatch.setattr(garbage, "tune_for_the_pipeline", lambda: happened.append("tuned"))
    monkeypatch.setattr(loop, "run_scheduler", lambda stop: happened.append("scheduled"))
    result = CliRunner().invoke(main, ["run", "--no-web"])
    assert result.exit_code == 0, result.output
    assert happened == ["tuned", "scheduled"]
