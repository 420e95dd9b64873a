"""The extraction quality gate: `make eval-extract`'s evaluation, held to the floors pinned in
bench/baselines/extract.json (CI runs this through `make test`)."""

from __future__ import annotations

import json

import pytest

from vistka.testing.extraction_eval import BASELINE_PATH, body_scores, evaluate, gate_figures, load_pages


@pytest.fixture(scope="module")
def scores(sample_server):
    return evaluate(load_pages(sample_server.base_url), names=("vistka", "vistka-generic", "trafilatura"))


def test_vistka_stays_above_the_pinned_floors(scores):
    floors = json.loads(BASELINE_PATH.read_text())["floors"]
    figures = gate_figures(scores)
    below = {key: (figures[key], floor) for key, floor in floors.items() if figures[key] < floor}
    assert not below, f"extraction regressed below the pinned floors (measured, floor): {below}"


def test_vistka_beats_plain_trafilatura_on_every_template(scores):
    for outlet in {page["outlet"] for page in scores["vistka"].pages}:
        assert scores["vistka"].mean("f1", outlet) >= scores["trafilatura"].mean("f1", outlet), outlet


def test_generic_path_loses_nothing_against_plain_trafilatura(scores):
    assert scores["vistka-generic"].mean("f1") >= scores["trafilatura"].mean("f1")
    assert scores["vistka-generic"].mean("recall") >= scores["trafilatura"].mean("recall")


@pytest.mark.parametrize(("extracted", "expected", "scores_"), [
    ("a b c d e", "a b c d e", (1.0, 1.0, 1.0)),
    ("a b c d e x y z w", "a b c d e", (2 / 6, 1.0, 0.5)),
    ("", "a b c d", (0.0, 0.0, 0.0)),
    ("Один, два: три — чотири!", "один два три чотири", (1.0, 1.0, 1.0)),
])
def test_body_score_is_4gram_overlap_of_normalised_tokens(extracted, expected, scores_):
    assert body_scores(extracted, expected) == pytest.approx(scores_)
