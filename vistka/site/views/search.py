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
    """A lazy sequence for Django's Paginator: counts once, fetches only the page it slices."""

    def __init__(self, query: str):
        self.query = query
        self._total: int | None = None

    def __len__(self) -> int:
        if self._total is None:
            self._total = fulltext.search(self.query, limit=1)[1]
        return self._total

    def count(self) -> int:
        return len(self)

    def __getitem__(self, window: slice) -> list:
        hits, _ = fulltext.search(self.query, limit=window.stop - window.start, offset=window.start)
        articles = {item.pk: item for item in published_articles().filter(pk__in=[hit.article_id for hit in hits])}
        found = [(articles[hit.article_id], hit.snippet) for hit in hits if hit.article_id in articles]
        with_translation([item for item, _ in found])
        return [{"article": item, "snippet": snippet} for item, snippet in found]


@cached_page
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    page = Paginator(SearchResults(query), PAGE_SIZE).get_page(request.GET.get("page")) if query else None
    return render(request, "site/search.html", {"query": query, "page": page})
