"""The real-page extraction gate: `make eval-extract-real`'s evaluation (vistka and plain trafilatura
on trafilatura-eval and readability-test-pages), held to bench/baselines/extract_real.json.

The corpora live outside the repository (../shared/corpora or VISTKA_CORPORA); a fresh clone has
none, so the gate skips there, and fails on CI (VISTKA_REQUIRE_SERVICES=1) when they are missing.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import require_service
from vistka.testing.real_corpora import (
    BASELINE_PATH,
    ROOT,
    evaluate_real,
    gate_figures,
    junk_pages,
    load_real_pages,
    missing_corpora,
)


@pytest.fixture(scope="module")
def results():
    if missing := missing_corpora():
        require_service("real-page corpora", f"{', '.join(missing)} not found (../shared/corpora or VISTKA_CORPORA)")
    return evaluate_real(load_real_pages(), extractors=("vistka", "trafilatura"), processes=2)


def test_vistka_stays_above_the_pinned_real_page_floors(results):
    floors = json.loads(BASELINE_PATH.read_text())["floors"]
    figures = gate_figures(results)
    below = {key: (figures[key], floors[key]) for key in ("traf_eval_f1", "readability_f1") if figures[key] < floors[key]}
    assert not below, f"extraction on real pages regressed below the pinned floors (measured, floor): {below}"
    junk = [f"{r.corpus}/{r.name}" for r in junk_pages(results)]
    assert len(junk) <= floors["junk_pages_max"], f"junk bodies where trafilatura gets the article: {junk}"


def _previous_baseline() -> dict | None:
    """The baseline as last committed before the current one (HEAD's when the file has local edits)."""
    path = str(BASELINE_PATH.relative_to(ROOT))
    git = ["git", "-C", str(ROOT)]
    try:
        edited = subprocess.run([*git, "diff", "--quiet", "HEAD", "--", path], check=False).returncode != 0
        commits = subprocess.run([*git, "log", "--format=%H", "-n", "2", "--", path], check=True,
                                 capture_output=True, text=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return None
    commit = commits[0] if edited and commits else (commits[1] if len(commits) > 1 else None)
    if commit is None:
        return None
    shown = subprocess.run([*git, "show", f"{commit}:{path}"], check=False, capture_output=True, text=True)
    return json.loads(shown.stdout) if shown.returncode == 0 else None


def test_real_page_floors_are_never_lowered_silently():
    """A floor may only go down with a reason written next to it ("lowered": {floor: why})."""
    current = json.loads(BASELINE_PATH.read_text())
    previous = _previous_baseline()
    if previous is None:
        pytest.skip("no earlier committed baseline to compare with (or no git)")
    explained = current.get("lowered", {})
    old, new = previous["floors"], current["floors"]
    lowered = [key for key in ("traf_eval_f1", "readability_f1") if new.get(key, 0) < old.get(key, 0)]
    lowered += ["junk_pages_max"] if new.get("junk_pages_max", 0) > old.get("junk_pages_max", 0) else []
    assert not [key for key in lowered if key not in explained], f"floors lowered without a reason: {lowered}"
