"""Which of a feed's entries need the article stages: one query per poll instead of two per entry.

A busy feed lists the same 20–100 entries poll after poll, and almost all are stored and done.
`triage` looks every entry up at once, so a re-poll costs one query, and the Celery workers get
tasks only for entries that need work. `ingest_entry` still checks each entry itself, so a
stale answer (another worker stored the entry since) costs a wasted check, never a second copy.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from vistka.core.models import Article, ArticleStatus, Source
from vistka.pipeline.sources.entry import FeedEntry

# Stored articles in these states still need work from ingest_entry (processing, or a retry).
UNFINISHED = (ArticleStatus.FETCHED, ArticleStatus.FAILED)
BATCH = 400  # values per IN (...) list, well under SQLite's limit on query parameters


@dataclass(frozen=True)
class Pending:
    entry: FeedEntry
    new: bool  # nothing is stored under its guid or its link: ingest_entry may skip its own look-ups


def triage(source: Source, entries: list[FeedEntry]) -> list[Pending]:
    """The entries ingest_entry would do something for, in feed order, each marked new or not."""
    stored = _stored(source, entries)
    pending, links_seen = [], set()
    for entry in entries:
        status = stored.by_guid.get(entry.guid)
        if status is not None and status not in UNFINISHED:
            continue  # stored and done: re-polls add nothing
        taken = stored.by_link.get(entry.link)
        if status is None and taken is not None and taken != (source.pk, entry.guid):
            continue  # the same article under another entry (or outlet): stored once
        new = status is None and taken is None and entry.link not in links_seen
        links_seen.add(entry.link)  # a second entry with the same link is looked up again (it will be stored)
        pending.append(Pending(entry, new))
    return pending


@dataclass
class _Stored:
    by_guid: dict[str, str]  # this source's guid -> status
    by_link: dict[str, tuple[int, str]]  # url -> (source id, guid)


def _stored(source: Source, entries: list[FeedEntry]) -> _Stored:
    stored = _Stored({}, {})
    for start in range(0, len(entries), BATCH):
        chunk = entries[start:start + BATCH]
        match = Q(source=source, guid__in=[e.guid for e in chunk]) | Q(url__in=[e.link for e in chunk])
        for source_id, guid, url, status in Article.objects.filter(match).values_list(
                "source_id", "guid", "url", "status"):
            if source_id == source.pk:
                stored.by_guid[guid] = status
            stored.by_link[url] = (source_id, guid)
    return stored
