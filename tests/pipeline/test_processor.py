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
    assert [step.name for step in processor.steps("entry")][:3] == ["known", "robots", "page"]


def test_every_timed_stage_is_timed_in_a_step():
    assert set(stagetimes.STAGES) <= {stage for step in processor.STEPS for stage in step.times}


@pytest.mark.django_db  # atomic steps commit together
def test_a_walk_runs_the_steps_in_order_and_ends_at_the_first_that_says_done(monkeypatch):
    calls = []
    module = type("module", (), {})
    for name in "abcd":
        setattr(module, name, lambda work, name=name: calls.append(name) or name != "c")
    monkeypatch.setattr(processor, "_module", lambda name: module)
    monkeypatch.setattr(processor, "STEPS", tuple(
        processor.Step("p", name, f"m:{name}", atomic=name in "bc") for name in "abcd"))
    assert processor.walk("p", None) is False
    assert calls == ["a", "b", "c"]


@pytest.mark.django_db  # not transactional: a flush would leave its article in the search table
def test_the_runner_walks_the_list_for_a_real_entry(sample_server, monkeypatch):
    """Every entry and article step runs once, in the listed order, for a new article of a sample outlet."""
    from vistka.cli.demo import configure_sample_sources
    from vistka.pipeline import run

    walked = []
    for step in [*processor.steps("entry"), *processor.steps("article")]:
        module, _, name = step.does.partition(":")
        real = getattr(run, name)
        monkeypatch.setattr(run, name, lambda work, real=real, step=step: walked.append(step.name) or real(work))
    monkeypatch.setattr("django.conf.settings.FETCH_AHEAD", 0)
    source = next(source for source in configure_sample_sources(sample_server.base_url) if source.language == "en")
    entry = run.read_feed(run.fetch(source.feed_url, run.FetchPolicy.from_settings()).utf8_content,
                          source.feed_url).entries[0]
    article = run.ingest_entry(source, entry, run.FetchPolicy.from_settings(), new=True)
    assert article is not None and article.status == "published"
    assert walked == [step.name for step in [*processor.steps("entry"), *processor.steps("article")]]


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
