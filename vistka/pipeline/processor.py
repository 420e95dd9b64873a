"""An article's way through vistka, in order: the one place that states the order of the stages.

Each step names the function that does it. The steps fall into four phases; between two phases the work
crosses a queue boundary. The embedded runner (`vistka run`, `vistka fetch`: vistka/pipeline/run.py, one
process, pages fetched ahead by threads and extracted in a pool of processes) calls the next phase in
process; the Celery workers (vistka/workers/tasks.py) enqueue it on the phase's queue instead. Both enter
each phase through the function in PHASES, so both run the same steps in the same order.

Today run.py still chains the steps inside each phase itself (`poll_source` → `ingest=` → `ingest_entry`
→ `then=` → `process_stored_article`); tests/pipeline/test_processor.py keeps this list and that code in step
(every function named here exists, every stage that stagetimes.py times is a step here, each phase's
queue is the one its Celery task is routed to).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    phase: str  # the phase the step belongs to (a key of PHASES)
    name: str  # what it does, in a word; the stagetimes.py stage where it is timed
    does: str  # the function that does it: "module:function"


@dataclass(frozen=True)
class Phase:
    enters: str  # the function both modes call to run the phase: "module:function"
    queue: str  # the Celery queue the phase runs on in worker mode
    tasks: tuple[str, ...]  # the Celery tasks that run it there


PHASES = {
    "source": Phase("vistka.pipeline.run:poll_source", "poll", ("vistka.workers.tasks.poll_source_task",)),
    "entry": Phase("vistka.pipeline.run:ingest_entry", "fetch", ("vistka.workers.tasks.ingest_entry_task",)),
    "article": Phase("vistka.pipeline.run:process_stored_article", "translate",
                     ("vistka.workers.tasks.process_article_task",)),
    # Workers split the pass: held articles with each scheduler tick, settling after a burst.
    "pass": Phase("vistka.pipeline.run:after_pass", "translate",
                  ("vistka.workers.tasks.resume_unfinished_task", "vistka.workers.tasks.settle_task")),
}

STEPS = (
    # ── source: one source's feed (queue `poll`; embedded: pipeline/loop.py or `vistka fetch`, a source at a time)
    Step("source", "due", "vistka.pipeline.sources.schedule:due_sources"),  # sources whose next poll time has come
    Step("source", "fetch", "vistka.pipeline.fetch:fetch"),  # the feed, by conditional GET, through the fetch guard and limits
    Step("source", "read", "vistka.pipeline.sources:read_feed"),  # RSS/Atom, JSON Feed or sitemap → FeedEntry; links and dates normalised
    Step("source", "health", "vistka.pipeline.sources.health:record_success"),  # outcome on the Source (or record_failure); next poll planned
    Step("source", "triage", "vistka.pipeline.sources.pending:triage"),  # entries not stored yet, one look-up for the feed
    # ══ queue boundary: each new entry → `ingest` (embedded: in process, its page fetched ahead by prefetch.py)
    Step("entry", "robots", "vistka.pipeline.fetch.robots:check_robots"),  # may we fetch the page? else stored as failed
    Step("entry", "fetch", "vistka.pipeline.fetch:fetch"),  # the article page (embedded: already fetched by a prefetch thread)
    Step("entry", "decode", "vistka.pipeline.extract.decode:parse_page"),  # charset → tree (embedded: in an extractpool process)
    Step("entry", "extract", "vistka.pipeline.extract:extract_article"),  # fields and body chosen on evidence; sanitised last
    Step("entry", "pictures", "vistka.pipeline.extract.figures:localise_images"),  # lead and body pictures copied to /media in widths
    Step("entry", "language", "vistka.pipeline.language:detect_language"),  # unless the extraction process did it already
    Step("entry", "store", "vistka.pipeline.run:_store_article"),  # the Article, status fetched, with its topics (publish/tagging.py)
    # ══ queue boundary: the stored article → `then` (embedded: in process)
    Step("article", "translate", "vistka.pipeline.translate.translating:translate_into_site_language"),  # when not in the site language
    Step("article", "publish", "vistka.pipeline.publish:publish"),  # published, held, or in review (publish/review.py), one transaction with:
    Step("article", "stories", "vistka.pipeline.stories.grouping:assign_story"),  # join or open a story, one article at a time
    Step("article", "related", "vistka.pipeline.stories.grouping:update_related"),  # related posts, after the commit
    Step("article", "changes", "vistka.pipeline.stories.grouping:record_changes"),  # StoryChange log for every warm index (on save, by signal)
    Step("article", "index", "vistka.site.signals:connect"),  # page marks and search index follow each save (signals, site/signals.py)
    # ══ after a pass (embedded: run_once) or a burst of grouped articles (workers: settle_task after a delay)
    Step("pass", "resume", "vistka.pipeline.run:resume_unfinished"),  # held articles tried again (engine installed, worker died)
    Step("pass", "settle", "vistka.pipeline.stories.settle:settle_recent"),  # the last day's arrivals decided again in order
)


def steps(phase: str) -> list[Step]:
    """The steps of one phase, in order."""
    return [step for step in STEPS if step.phase == phase]
