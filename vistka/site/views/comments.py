"""Readers' comments: posted without any cookie, checked for origin, honeypot and rate."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from vistka.core.events import content_changed
from vistka.site.clientip import client_address
from vistka.site.consent import same_origin_required
from vistka.site.forms import CommentForm
from vistka.site.views.common import published_articles, with_translation

COMMENTS_PER_IP_PER_HOUR = 5


@require_POST
@same_origin_required
def post_comment(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(published_articles(), pk=pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        with_translation([item])
        return render(request, "site/comment_error.html", {"article": item, "comment_form": form}, status=400)
    if not within_rate_limit(request):
        with_translation([item])
        return render(request, "site/comment_error.html",
                      {"article": item, "comment_form": form, "rate_limited": True}, status=429)
    if not form.is_spam():
        comment = form.save(commit=False)
        comment.article = item
        comment.approved = not settings.COMMENTS_MODERATED
        comment.save()
        if comment.approved:
            content_changed([item.pk])
    outcome = "pending" if settings.COMMENTS_MODERATED else "posted"
    return HttpResponseRedirect(f"{item.get_absolute_url()}?comment={outcome}#comments")


def within_rate_limit(request: HttpRequest) -> bool:
    """At most COMMENTS_PER_IP_PER_HOUR from one address, counted in the cache every web process shares."""
    cache = caches[settings.RATE_LIMIT_CACHE]
    key = f"comments-from:{client_address(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) <= COMMENTS_PER_IP_PER_HOUR
    except ValueError:  # the entry expired between add and incr: this is the first of a new hour
        cache.add(key, 1, timeout=3600)
        return True
