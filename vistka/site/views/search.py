"""/search/?q=…: ranked full-text results with highlighted snippets."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vistka.site import fulltext
from vistka.site.caching import cached_page
from vistka.site.views.common import PAGE_SIZE, published_articles, with_translation

MAX_QUERY_LENGTH = 200


class SearchResults:
    """A lazy sequence for Django's Paginator: fetches only the page it slices.

    The paginator asks for the count before it slices; the count comes from the search for the page
    the reader asked for (every search returns its total), so one search serves both (it was two).
    """

    def __init__(self, query: str, page: int = 1, per_page: int = PAGE_SIZE):
        self.query = query
        self._start, self._per_page = (page - 1) * per_page, per_page
        self._hits: list | None = None  # the asked-for page's hits
        self._total: int | None = None

    def __len__(self) -> int:
        if self._total is None:
            self._hits, self._total = fulltext.search(self.query, limit=self._per_page, offset=self._start)
            if not self._hits and self._start:  # past the last page, no row carried the total
                self._total = fulltext.search(self.query, limit=1)[1]
        return self._total

    def count(self) -> int:
        return len(self)

    def __getitem__(self, window: slice) -> list:
        if self._hits is not None and window.start == self._start:
            hits = self._hits[: window.stop - window.start]  # the paginator cuts the last page to the total
        else:
            hits, _ = fulltext.search(self.query, limit=window.stop - window.start, offset=window.start)
        articles = {item.pk: item for item in published_articles().filter(pk__in=[hit.article_id for hit in hits])}
        found = [(articles[hit.article_id], hit.snippet) for hit in hits if hit.article_id in articles]
        with_translation([item for item, _ in found])
        return [{"article": item, "snippet": snippet} for item, snippet in found]


@cached_page
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    number = request.GET.get("page", "")
    # Only a hint of the page to search first (the paginator still validates the number).
    asked = min(int(number), 10_000) if number.isdecimal() and int(number) > 0 else 1
    page = Paginator(SearchResults(query, asked), PAGE_SIZE).get_page(number) if query else None
    return render(request, "site/search.html", {"query": query, "page": page})
