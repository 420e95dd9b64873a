"""Readers' comments: posted without any cookie, checked for origin, honeypot and rate."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

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
    outcome = "pending" if settings.COMMENTS_MODERATED else "posted"
    return HttpResponseRedirect(f"{item.get_absolute_url()}?comment={outcome}#comments")


def within_rate_limit(request: HttpRequest) -> bool:
    key = f"comments-from:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, timeout=3600)
    return cache.incr(key) <= COMMENTS_PER_IP_PER_HOUR
