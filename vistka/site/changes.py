"""Keep the page cache and the search index in step with the stored content: both follow the one event
every write path sends, `vistka.core.events.content_changed`."""

from __future__ import annotations

from django.db import transaction

from vistka.core import events
from vistka.pipeline import stagetimes
from vistka.site import fulltext
from vistka.site.caching import content_changed, taken_down


def _now_and_after_commit(mark) -> None:
    # Now, and again after commit: a page rendered between the change and the commit must not stay
    # current. Outside a transaction the change is already committed and on_commit would run at once.
    mark()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(mark)


def follow(sender=None, article_ids: list[int] = (), everywhere: bool = False, **kwargs) -> None:
    """The articles' own pages at once and lists within VISTKA_PAGE_LIST_DELAY — or, when something
    left the site, every page at once; the articles' search entries as they are stored now."""
    if everywhere:
        _now_and_after_commit(taken_down)
    else:
        _now_and_after_commit(lambda: content_changed(*article_ids))
    if article_ids:
        with stagetimes.stage("index"):
            fulltext.reindex(*article_ids)


def connect() -> None:
    events.changed.connect(follow, dispatch_uid="site-follows-content")
