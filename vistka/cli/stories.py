"""`vistka stories cluster FILE.jsonl`: the ingest clustering on a file, without a database.

Operators use it to tune the thresholds on their own articles before changing the settings.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TextIO

import click

from vistka.pipeline.stories import StoryIndex, StoryParams
from vistka.pipeline.storyterms import Doc

REQUIRED = ("id", "title", "text", "published")


@click.group()
def stories() -> None:
    """Group articles into stories."""


@stories.command("cluster")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--explain", is_flag=True, help="Add why each article joined or opened its story.")
@click.option("--threshold", type=float, default=None, help="Join threshold (default: VISTKA_STORY_JOIN_THRESHOLD).")
@click.option("--window-hours", type=float, default=None, help="Story window (default: VISTKA_STORY_WINDOW_HOURS).")
@click.option("--related", "related_count", type=int, default=0, help="Also list this many related articles.")
def cluster(file: TextIO, explain: bool, threshold: float | None, window_hours: float | None,
            related_count: int) -> None:
    """Read articles as JSON Lines ({id, title, lead?, text, published, source, lang?}, all in one
    language), assign each to a story in publication order, print {"id": ..., "story": ...} per line."""
    params = StoryParams.from_options(
        join_threshold=threshold,
        story_window=timedelta(hours=window_hours) if window_hours is not None else None)
    docs = sorted(read_docs(file), key=lambda doc: doc.published)
    index = StoryIndex(params)
    for doc in docs:
        decision = index.assign(doc)
        line: dict = {"id": doc.id, "story": index.entries[doc.id].story}
        if decision.duplicate_of:
            line["duplicate_of"] = decision.duplicate_of
        if explain:
            line["explain"] = decision.reasons
        if related_count:
            line["related"] = [other for other, _ in index.related(doc.id, related_count)]
        click.echo(json.dumps(line, ensure_ascii=False))


def read_docs(file: TextIO) -> list[Doc]:
    """Parse every line; a bad line stops with its number and what is wrong."""
    docs, seen = [], set()
    for number, raw in enumerate(file, start=1):
        if not raw.strip():
            continue
        try:
            docs.append(parse_doc(json.loads(raw)))
        except (ValueError, TypeError, KeyError) as error:
            raise click.ClickException(f"line {number}: {error}") from None
        if docs[-1].id in seen:
            raise click.ClickException(f"line {number}: duplicate id {docs[-1].id!r}")
        seen.add(docs[-1].id)
    return docs


def parse_doc(item: dict) -> Doc:
    if not isinstance(item, dict):
        raise ValueError("expected a JSON object")
    missing = [key for key in REQUIRED if item.get(key) in (None, "")]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    published = datetime.fromisoformat(str(item["published"]).replace("Z", "+00:00"))
    if published.tzinfo is None:
        raise ValueError(f"published {item['published']!r} has no time zone")
    return Doc(id=str(item["id"]), title=str(item["title"]), text=str(item["text"]), published=published,
               source=str(item.get("source", "")), lead=str(item.get("lead") or ""), lang=str(item.get("lang") or ""))
