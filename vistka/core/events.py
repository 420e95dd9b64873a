"""What the model announces to whoever keeps copies of public output (the site's page cache and search index).

Declared here, beside the model, so that the writer that sends an event and the face that listens to it
need not import each other. There is one event: every write path sends it once its change is made —
the pipeline once per article (processor.py, step "changed"), an editor's decision (publish/moderation.py,
publish/decide.py), an edit in the editor's desk (vistka/desk/admin.py), the API, the CLI, a reader's
comment. Saving a row through the ORM alone announces nothing: a path that writes what readers see
sends the event itself.
"""

from __future__ import annotations

from collections.abc import Iterable

import django.dispatch

changed = django.dispatch.Signal()  # sent with article_ids=[...] and everywhere=bool; see content_changed


def content_changed(article_ids: Iterable[int | None] = (), *, everywhere: bool = False) -> None:
    """These articles changed (their text, translation, story, topics, comments, status...); with no ids,
    something that only lists show changed (a source's name, a topic, a story's title).

    `everywhere`: every page, feed and search must change at once, not only the articles' own pages:
    something shown left the site (an article withdrawn, rejected, held back or deleted; an outlet
    deleted), or an outlet's settings changed what all its pages show (its name, its licence mode).
    """
    ids = sorted({pk for pk in article_ids if pk})
    changed.send(sender=None, article_ids=ids, everywhere=everywhere)
