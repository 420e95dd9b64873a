"""`vistka stories cluster FILE.jsonl`: the ingest clustering on a file, without a database.

Operators use it to tune the thresholds on their own articles before changing the settings.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import TextIO

import click
from django.utils.html import strip_tags

from vistka.pipeline.stories import Doc, StoryIndex, StoryParams

REQUIRED = ("id", "published")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")


@click.group()
def stories() -> None:
    """Group articles into stories."""


@stories.command("cluster")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--explain", is_flag=True, help="Add why each article joined or opened its story.")
@click.option("--threshold", type=float, default=None, help="Join threshold (default: VISTKA_STORY_JOIN_THRESHOLD).")
@click.option("--window-hours", type=float, default=None, help="Story window (default: VISTKA_STORY_WINDOW_HOURS).")
@click.option("--related", "related_count", type=int, default=0, help="Also list this many related articles.")
@click.option("--strict", is_flag=True, help="Stop at the first bad line instead of skipping it with a warning.")
def cluster(file: TextIO, explain: bool, threshold: float | None, window_hours: float | None,
            related_count: int, strict: bool) -> None:
    """Read articles as JSON Lines ({id, title, lead?, text, published, source, lang?}, all in one
    language), assign each to a story in publication order, print {"id": ..., "story": ...} per line.

    Bare dates and date-times without a time zone are read as UTC; a missing title falls back to the
    lead or the text's first sentence (with a warning); a bad line is reported on stderr with its
    number and skipped (`--strict`: an error); a repeated id is an error naming both lines."""
    params = StoryParams.from_options(
        join_threshold=threshold,
        story_window=timedelta(hours=window_hours) if window_hours is not None else None)
    docs = sorted(read_docs(file, strict=strict), key=lambda doc: (doc.published, doc.id))
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


def read_docs(file: TextIO, strict: bool = False) -> list[Doc]:
    """Parse every line. A bad line is skipped with a warning naming its number (`strict`: an error);
    a repeated id is always an error, naming both lines."""
    docs, seen = [], {}
    for number, raw in enumerate(file, start=1):
        if not raw.strip():
            continue
        notes: list[str] = []
        try:
            doc = parse_doc(json.loads(raw), notes)
        except (ValueError, TypeError, KeyError) as error:
            if strict:
                raise click.ClickException(f"line {number}: {error}") from None
            click.echo(f"warning: line {number} skipped: {error}", err=True)
            continue
        for note in notes:
            click.echo(f"warning: line {number}: {note}", err=True)
        if doc.id in seen:
            raise click.ClickException(f"line {number}: duplicate id {doc.id!r} (first on line {seen[doc.id]})")
        seen[doc.id] = number
        docs.append(doc)
    return docs


def parse_published(value) -> datetime:
    """ISO 8601; a bare date is midnight UTC and a date-time without a time zone is UTC."""
    text = str(value).strip()
    published = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return published if published.tzinfo is not None else published.replace(tzinfo=UTC)


def parse_doc(item: dict, notes: list[str] | None = None) -> Doc:
    """One article; what was filled in (a title taken from the lead or text) is added to `notes`."""
    if not isinstance(item, dict):
        raise ValueError("expected a JSON object")
    missing = [key for key in REQUIRED if item.get(key) in (None, "")]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    published = parse_published(item["published"])
    lead, text = str(item.get("lead") or ""), str(item.get("text") or "")
    title = " ".join(str(item.get("title") or "").split())
    if not title:
        title = _first_sentence(lead) or _first_sentence(text)
        if not title:
            raise ValueError("no title, lead or text")
        if notes is not None:
            notes.append(f"no title; using {'the lead' if _first_sentence(lead) else 'the first sentence'}")
    return Doc(id=str(item["id"]), title=title, text=text, published=published,
               source=str(item.get("source") or ""), lead=lead, lang=str(item.get("lang") or ""))


def _first_sentence(text: str, limit: int = 200) -> str:
    words = " ".join(strip_tags(text).split())
    sentence = _SENTENCE_END.split(words, maxsplit=1)[0]
    return sentence[:limit]
