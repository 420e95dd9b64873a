"""vistka/pipeline/processor.py, the one list of an article's steps, stays true to the code it names."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

from vistka.pipeline import processor, stagetimes
from vistka.workers import tasks  # noqa: F401  (registers the tasks on the app)
from vistka.workers.app import TASK_ROUTES, app


def resolve(reference: str):
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("step", processor.STEPS, ids=lambda step: f"{step.phase}-{step.name}")
def test_every_step_names_a_function_that_exists(step):
    assert step.phase in processor.PHASES
    assert callable(resolve(step.does))


def test_the_phases_come_in_their_order_each_in_one_block():
    order = [step.phase for step in processor.STEPS]
    blocks = [phase for index, phase in enumerate(order) if index == 0 or order[index - 1] != phase]
    assert blocks == list(processor.PHASES)
    assert [step.name for step in processor.steps("entry")][:3] == ["robots", "fetch", "decode"]


def test_every_timed_stage_is_a_step():
    assert set(stagetimes.STAGES) <= {step.name for step in processor.STEPS}


@pytest.mark.parametrize("name", list(processor.PHASES))
def test_each_phase_runs_on_its_queue_through_its_entry_function(name):
    phase = processor.PHASES[name]
    entry = resolve(phase.enters)
    for task in phase.tasks:
        assert TASK_ROUTES[task]["queue"] == phase.queue
        code = [line for line in inspect.getsource(app.tasks[task].run).splitlines()
                if not line.strip().startswith(("from ", "import "))]
        used = {word for line in code for word in re.findall(r"\w+", line)}
        if name != "pass":
            assert entry.__name__ in used
        else:  # the workers split the pass into its two steps' functions
            assert used & {resolve(step.does).__name__ for step in processor.steps("pass")}
