"""poll_sources (run.py): the next feed is read and its first pages fetched while the last entries of
the one before are written, and a failure of the next source stays that source's."""

from __future__ import annotations

import threading

import pytest

from tests.hostile_web import article_page, item, rss
from tests.http_servers import LocalServer, reply
from vistka.core.models import Article, FetchLog, Source
from vistka.pipeline import run
from vistka.pipeline.fetch import FetchPolicy

POLICY = FetchPolicy(timeout=5, connect_timeout=2, read_timeout=3, allow_hosts=["127.0.0.1"])
PAGES = 4


class Outlets:
    """Feeds /a.xml, /b.xml, /c.xml of four pages each; every request noted, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self.asked = {name: threading.Event() for name in "abc"}  # a page of that outlet was asked for
        routes = {"/robots.txt": reply(404)}
        for name in "abc":
            routes[f"/{name}.xml"] = self._noted(lambda request, name=name: reply(200, rss(
                [item(f"{name} {n}", f"http://127.0.0.1:{request.server.server_port}/{name}/{n}.html",
                      guid=f"{name}-{n}") for n in range(PAGES)]), {"Content-Type": "application/rss+xml"})(request))
            for number in range(PAGES):
                routes[f"/{name}/{number}.html"] = self._noted(
                    reply(200, article_page(f"Стаття {name} {number}"), {"Content-Type": "text/html"}), name)
        self.server = LocalServer(routes)

    def _noted(self, handler, outlet: str = ""):
        def noting(request) -> None:
            self.events.append(("GET", request.path))
            if outlet:
                self.asked[outlet].set()
            handler(request)
        return noting

    def sources(self) -> list[Source]:
        return [Source.objects.create(name=f"Outlet {name}", feed_url=f"{self.server.base_url}/{name}.xml",
                                      language="uk") for name in "abc"]


@pytest.fixture
def noted_ingest(monkeypatch):
    """Each entry's ingest noted in the same list as the requests."""
    ingest = run._ingest_isolated

    def noting(source, entry, *args):
        outlets = noting.outlets
        outlets.events.append(("ingest", entry.link.split("/", 3)[-1]))
        if entry.link.endswith("/a/3.html"):  # the first outlet's last entry waits for the next outlet's pages
            noting.next_pages_asked = outlets.asked["b"].wait(20)
        return ingest(source, entry, *args)

    monkeypatch.setattr(run, "_ingest_isolated", noting)
    return noting


@pytest.mark.django_db
def test_the_next_feed_and_its_first_pages_are_on_their_way_before_the_last_entries_are_written(settings, monkeypatch,
                                                                                                 noted_ingest):
    settings.FETCH_AHEAD = 2
    outlets = Outlets()
    noted_ingest.outlets = outlets
    with outlets.server:
        reports = run.poll_sources(outlets.sources(), POLICY)
    assert [(report.error, report.new) for report in reports] == [("", PAGES)] * 3
    assert Article.objects.count() == 3 * PAGES
    events = outlets.events
    # With two pages fetched ahead, the feed of b is read when the last two entries of a are still to
    # be written, and its pages are asked for while a's last entry is being written.
    assert events.index(("GET", "/b.xml")) < events.index(("ingest", "a/2.html"))
    assert noted_ingest.next_pages_asked
    assert events.index(("GET", "/c.xml")) > events.index(("ingest", "a/3.html"))
    assert [event for event in events if event[0] == "ingest"] == [  # written in feed order, source by source
        ("ingest", f"{name}/{n}.html") for name in "abc" for n in range(PAGES)]


@pytest.mark.django_db
def test_a_failure_while_the_next_source_begins_is_that_sources_alone(settings, monkeypatch):
    settings.FETCH_AHEAD = 2
    triage = run.triage_entries

    def broken_for_b(work):
        if work.source.name == "Outlet b":
            raise RuntimeError("something nobody foresaw")
        return triage(work)

    monkeypatch.setattr(run, "triage_entries", broken_for_b)
    outlets = Outlets()
    with outlets.server:
        sources = outlets.sources()
        reports = run.poll_sources(sources, POLICY)
    assert [report.source for report in reports] == ["Outlet a", "Outlet b", "Outlet c"]
    assert reports[0].error == "" and reports[0].new == PAGES
    assert "RuntimeError: something nobody foresaw" in reports[1].error and reports[1].new == 0
    assert reports[2].error == "" and reports[2].new == PAGES
    for source in Source.objects.all():
        assert FetchLog.objects.filter(source=source).count() == 1
        assert (source.consecutive_failures == 1) == (source.name == "Outlet b"), source.name
    assert Article.objects.filter(source__name="Outlet b").count() == 0
    assert Article.objects.count() == 2 * PAGES


@pytest.mark.django_db
def test_a_link_the_next_feed_shares_with_the_last_entries_is_stored_once(settings, caplog):
    """b's feed is triaged while a's last entries are still to be written: a link both list is new to
    both then; the unique address keeps it to one article, and both polls go on."""
    settings.FETCH_AHEAD = 2
    outlets = Outlets()
    shared = "/a/3.html"

    def b_with_a_link_of_a(request):
        port = request.server.server_port
        reply(200, rss([item("shared", f"http://127.0.0.1:{port}{shared}", guid="b-shared")]
                       + [item(f"b {n}", f"http://127.0.0.1:{port}/b/{n}.html", guid=f"b-{n}") for n in range(2)]),
              {"Content-Type": "application/rss+xml"})(request)
        outlets.events.append(("GET", "/b.xml"))

    outlets.server.routes["/b.xml"] = b_with_a_link_of_a
    with outlets.server, caplog.at_level("INFO", logger="vistka.pipeline"):
        reports = run.poll_sources(outlets.sources()[:2], POLICY)
    assert [report.error for report in reports] == ["", ""]
    assert Article.objects.filter(url__endswith=shared).count() == 1
    assert Article.objects.get(url__endswith=shared).source.name == "Outlet a"
    assert Article.objects.filter(source__name="Outlet b").count() == 2
    assert f"Outlet b: http://127.0.0.1:{outlets.server.httpd.server_port}{shared} is already stored under another entry" \
        in caplog.text  # b found it new: a had not written it yet
