"""An article's way through vistka, in order: the one place that states the order of the stages.

STEPS below is the list the runner walks. Each step names the function that does it: a small step of
run.py that hands the phase's work item to a stage's public function (named in the step's comment).
The steps fall into four phases; between two phases the work crosses a queue boundary. The embedded
runner (`vistka run`, `vistka fetch`: run.py, one process, pages fetched ahead by threads and
extracted in a pool of processes) calls the next phase in process; the Celery workers
(vistka/workers/tasks.py) enqueue it on the phase's queue instead. Both enter each phase through the
function in PHASES, which walks the phase's steps with `walk`; so both run the same steps in order.

A step returns False when the item needs nothing more (already stored, its page refused, published
elsewhere...); the walk then ends there. Steps marked `atomic` that follow each other commit together.
tests/pipeline/test_processor.py keeps this list true to the code (every function exists, every timed
stage belongs to a step, each phase's task is routed to its queue and calls its entry function).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import transaction


@dataclass(frozen=True)
class Step:
    phase: str  # the phase the step belongs to (a key of PHASES)
    name: str  # what it does, in a word
    does: str  # the function that does it: "module:function", called with the phase's work item
    times: tuple[str, ...] = ()  # the stagetimes.py stages timed inside it (`make bench-ingest`)
    atomic: bool = False  # commits in one transaction with the atomic steps next to it


@dataclass(frozen=True)
class Phase:
    enters: str  # the function both modes call to run the phase: "module:function"
    queue: str  # the Celery queue the phase runs on in worker mode
    tasks: tuple[str, ...]  # the Celery tasks that run it there


PHASES = {
    # Entered per source whose next poll time has come (sources.schedule:due_sources; loop.py or a worker's beat).
    "source": Phase("vistka.pipeline.run:poll_source", "poll", ("vistka.workers.tasks.poll_source_task",)),
    "entry": Phase("vistka.pipeline.run:ingest_entry", "fetch", ("vistka.workers.tasks.ingest_entry_task",)),
    "article": Phase("vistka.pipeline.run:process_stored_article", "translate",
                     ("vistka.workers.tasks.process_article_task",)),
    # Workers split the pass: held articles with each scheduler tick, settling after a burst.
    "pass": Phase("vistka.pipeline.run:after_pass", "translate",
                  ("vistka.workers.tasks.resume_unfinished_task", "vistka.workers.tasks.settle_task")),
}

R = "vistka.pipeline.run:"
STEPS = (
    # ── source: one source's feed (queue `poll`; embedded: loop.py or `vistka fetch`, a source at a time)
    Step("source", "feed", R + "read_source_feed", ("fetch",)),  # fetch:fetch by conditional GET, then sources:read_feed (RSS/Atom, JSON Feed, sitemap)
    Step("source", "moved", R + "note_feed_move"),  # sources.health:note_redirect: a permanent redirect moves the source
    Step("source", "triage", R + "triage_entries"),  # sources.pending:triage: entries not stored yet, one look-up for the feed
    # ══ queue boundary: each new entry → `ingest_entry` (embedded: in process, its page fetched ahead by prefetch.py)
    Step("source", "entries", R + "hand_on_entries"),  # each entry through the entry phase, its failure caught there
    Step("source", "health", R + "record_poll_success"),  # sources.health:record_success: warnings kept, next poll planned
    # ── entry: one feed entry (queue `fetch`)
    Step("entry", "known", R + "skip_stored_entry"),  # stored already: nothing to do (or, stored but unprocessed, on to `then`)
    Step("entry", "robots", R + "check_page_allowed"),  # fetch.robots:check_robots; refused → stored as failed
    Step("entry", "page", R + "extract_page", ("fetch", "decode", "extract")),  # fetch:fetch (or prefetched), decode, extract:extract_article
    Step("entry", "pictures", R + "copy_pictures", ("pictures",)),  # extract.figures:localise_images: our copies in widths under /media
    Step("entry", "language", R + "detect_page_language", ("language",)),  # language:detect_language, unless the pool did it
    Step("entry", "store", R + "store_entry_article", ("store",)),  # the Article, status fetched, with its topics (publish.tagging)
    # ══ queue boundary: the stored article → `then` (embedded: process_stored_article, in process)
    Step("entry", "then", R + "hand_on_article"),
    # ── article: one stored article (queue `translate`)
    Step("article", "translate", R + "translate_article"),  # translate.translating:translate_into_site_language, when needed
    Step("article", "publish", R + "publish_article", ("publish",), atomic=True),  # publish:publish → published, held or in review
    Step("article", "stories", R + "join_story", ("stories",), atomic=True),  # stories.grouping:assign_story, same transaction
    Step("article", "related", R + "relate_article", ("related",)),  # stories.grouping:update_related, after the commit
    Step("article", "changed", R + "announce_article", ("index",)),  # core.events:content_changed → page cache, search
    # ══ after a pass (embedded: run_once) or a burst of grouped articles (workers: settle_task after a delay)
    Step("pass", "resume", "vistka.pipeline.run:resume_unfinished"),  # held articles tried again (engine installed, worker died)
    Step("pass", "settle", "vistka.pipeline.stories.settle:settle_recent", ("stories",)),  # the last day's arrivals decided again in order
)


def steps(phase: str) -> list[Step]:
    """The steps of one phase, in order."""
    return [step for step in STEPS if step.phase == phase]


def function(step: Step) -> Callable[..., Any]:
    """The function a step names; looked up at each call so a test may replace it in its module."""
    module, _, name = step.does.partition(":")
    return getattr(_module(module), name)


@cache
def _module(name: str):
    # Imported on first use: run.py, whose steps these are, imports this module.
    return importlib.import_module(name)


def walk(phase: str, work: Any, start: str = "", until: str = "") -> bool:
    """Run the phase's steps on `work` in order; False when a step ended the walk early. `start`, `until`:
    only the steps from the one of that name, or those before it (a walk done in two parts)."""
    todo = steps(phase)
    names = [step.name for step in todo]
    todo = todo[names.index(start) if start else 0:names.index(until) if until else len(todo)]
    while todo:
        together = [todo.pop(0)]
        while together[0].atomic and todo and todo[0].atomic:
            together.append(todo.pop(0))
        if together[0].atomic:
            with transaction.atomic():
                went_on = all(function(step)(work) is not False for step in together)
        else:
            went_on = function(together[0])(work) is not False
        if not went_on:
            return False
    return True
