"""Long-running batch commands (re-translate, reindex, backfill) that show progress, can be stopped
with Ctrl-C and carry on where they stopped when run again.

The checkpoint is the last finished item's id, kept in DATA_DIR/jobs/<job>.json and written after
every item, so an interruption (or a crash) loses at most the item in hand.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


@dataclass
class JobOutcome:
    done: int
    total: int
    interrupted: bool
    resumed_from: int  # last id finished by an earlier run, 0 for a fresh start


def checkpoint_path(job: str) -> Path:
    folder = Path(settings.DATA_DIR) / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{job}.json"


def read_checkpoint(job: str) -> int:
    path = checkpoint_path(job)
    try:
        return int(json.loads(path.read_text())["last_id"])
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return 0


def run_resumable(job: str, ids: Iterable[int], work: Callable[[int], None], *, progress: bool = True,
                  restart: bool = False) -> JobOutcome:
    """Call `work(id)` for each id (ascending) after the checkpoint; Ctrl-C stops cleanly."""
    from tqdm import tqdm

    path = checkpoint_path(job)
    if restart:
        path.unlink(missing_ok=True)
    start = read_checkpoint(job)
    todo = sorted(pk for pk in ids if pk > start)
    done = 0
    with tqdm(total=len(todo), unit=" items", disable=not progress, desc=job) as bar:
        try:
            for pk in todo:
                work(pk)
                path.write_text(json.dumps({"last_id": pk}))
                done += 1
                bar.update(1)
        except KeyboardInterrupt:
            return JobOutcome(done, len(todo), True, start)
    path.unlink(missing_ok=True)
    return JobOutcome(done, len(todo), False, start)
