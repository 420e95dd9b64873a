"""The editor's desk: the Django admin, arranged for people who run the news site day to day.

Sections: sources, articles (with withdraw/publish/reject), the review queue, comments moderation,
fetch history, API tokens (superusers only). Translation side-by-side/correction, glossary and story
merge/split are separate admin classes owned by their stages.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from vistka.config.choices import DEFAULT_CANONICAL_MODE, LICENCE_MODES
from vistka.core.events import content_changed
from vistka.core.models import (
    ApiToken,
    Article,
    ArticleStatus,
    Comment,
    FetchLog,
    RelatedArticle,
    ReviewQueueItem,
    Source,
    Story,
    Topic,
    Translation,
)
from vistka.core.weburl import http_url
from vistka.desk import translation_admin  # noqa: F401 (registers the translation desk)
from vistka.pipeline.fetch import FetchPolicy
from vistka.pipeline.publish import (
    DECISIONS,
    approve_articles,
    reject_articles,
    set_status,
    withdraw_articles,
)
from vistka.pipeline.sources import DiscoveryError, discover

SHOWN_STATUSES = {ArticleStatus.PUBLISHED, ArticleStatus.FETCHED, ArticleStatus.FAILED}


def _articles_of(obj) -> list[int]:
    """The articles whose own pages show this row (none: only lists show it)."""
    if isinstance(obj, Article):
        return [obj.pk]
    return [obj.article_id] if isinstance(obj, (Translation, Comment, RelatedArticle)) else []


def _articles_going_with(obj) -> list[int]:
    """The articles a deletion of this row changes: its own; an outlet's (they go with it); a story's."""
    if isinstance(obj, (Source, Story)):
        return list(obj.articles.values_list("pk", flat=True))
    return _articles_of(obj)


class AnnouncesChanges:
    """Every edit an editor saves or deletes here is announced (vistka/core/events.py), once per form
    (with its inlines and topics) or per deletion, so readers' pages and the search follow."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        # A stored article held back by its form (in review, awaiting translation) leaves every page;
        # an outlet's settings (name, licence mode) change what all its pages show.
        held_back = isinstance(obj, Article) and change and obj.status not in SHOWN_STATUSES
        content_changed(_articles_of(obj), everywhere=held_back or isinstance(obj, Source))

    def delete_model(self, request, obj):
        articles = _articles_going_with(obj)
        super().delete_model(request, obj)
        content_changed(articles, everywhere=isinstance(obj, (Article, Source)))

    def delete_queryset(self, request, queryset):
        articles = [pk for obj in queryset for pk in _articles_going_with(obj)]
        everywhere = issubclass(queryset.model, (Article, Source))
        super().delete_queryset(request, queryset)
        content_changed(articles, everywhere=everywhere)


def display_title(article: Article) -> str:
    """The title as the site shows it (the translation's, when there is one)."""
    return article.translation.title if article.translation else article.title


class EmptyState:
    """A list page that, when empty, says so in words (empty_title, empty_help) instead of "0 <things>"."""

    change_list_template = "admin/vistka_change_list.html"
    empty_title = ""
    empty_help = ""

    def changelist_view(self, request, extra_context=None):
        words = {"empty_title": self.empty_title or f"No {self.model._meta.verbose_name_plural} yet.",
                 "empty_help": self.empty_help}
        return super().changelist_view(request, {**words, **(extra_context or {})})


class SourceForm(forms.ModelForm):
    """Adding a source by its home page: the feed is discovered when the editor leaves it empty."""

    class Meta:
        model = Source
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["feed_url"].required = False
        self.fields["feed_url"].help_text = "Leave empty to discover it from the home page."
        if "canonical" in self.fields:  # a form posted without it (a script, an older page) keeps the default
            self.fields["canonical"].required = False

    def clean_canonical(self):
        return self.cleaned_data.get("canonical") or DEFAULT_CANONICAL_MODE

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("feed_url") and cleaned.get("homepage"):
            try:
                cleaned["feed_url"] = discover(cleaned["homepage"], FetchPolicy.from_settings()).feed_url
            except DiscoveryError as error:
                self.add_error("feed_url", str(error))
        elif not cleaned.get("feed_url"):
            self.add_error("feed_url", "Give the feed URL, or the home page to discover it from.")
        return cleaned


@admin.register(Source)
class SourceAdmin(AnnouncesChanges, EmptyState, admin.ModelAdmin):
    form = SourceForm
    empty_title = "No sources yet."
    empty_help = "Add one with “Add source” (its home page is enough), or `vistka sources add URL` on the server."
    # Health first and every column narrow, so the list reads at 1280 px without scrolling sideways
    # (failures and the next poll are in the health words; the full record is on the source's page).
    list_display = ["outlet", "health", "last_success", "licence_mode", "review_required", "active"]
    list_display_links = ["outlet"]
    list_editable = ["licence_mode", "review_required", "active"]
    list_filter = ["active", "language", "licence_mode", "review_required"]
    search_fields = ["name", "homepage", "feed_url"]
    health_fields = ["last_polled_at", "last_success_at", "last_error", "last_warning", "consecutive_failures",
                     "failing_since", "entries_per_day", "next_poll_at", "moved_to", "moved_polls"]
    readonly_fields = health_fields
    fieldsets = [
        (None, {"fields": ["name", "homepage", "feed_url", "language", "timezone"]}),
        ("Editorial policy", {"fields": ["licence_mode", "canonical", "review_required", "active"]}),
        ("Health", {"fields": health_fields}),
    ]
    actions = ["pause", "resume"]

    class Media:
        css = {"all": ["core/admin-desk.css"]}

    @admin.display(description="health", ordering="consecutive_failures")
    def health(self, source: Source) -> str:
        from vistka.pipeline.sources.health import health_state, is_flagged

        state = health_state(source)
        tone = ("paused" if not source.active else "bad" if is_flagged(source) or source.consecutive_failures
                else "warn" if source.last_warning or source.last_success_at is None else "ok")
        problem = source.last_error or source.last_warning
        detail = format_html('<small title="{}">{}</small>', problem, Truncator(problem).chars(70)) if problem else ""
        return format_html('<span class="health health-{}">{}</span>{}', tone, state, detail)

    @admin.display(description="last success", ordering="last_success_at")
    def last_success(self, source: Source) -> str:
        from django.utils import timezone

        from vistka.desk.sourcelist import when_in_words

        rate = format_html("<small>{} new/day</small>", f"{source.entries_per_day:.1f}")
        if source.last_success_at is None:
            return format_html("never{}", rate)
        exact = f"{timezone.localtime(source.last_success_at):%Y-%m-%d %H:%M %Z}"
        return format_html('<span title="{}">{}</span>{}', exact, when_in_words(source.last_success_at, timezone.now()),
                           rate)

    @admin.display(description="outlet", ordering="name")
    def outlet(self, source: Source) -> str:
        return format_html('{} <small class="lang">{}</small>', source.name, source.language)

    def get_changelist_form(self, request, **kwargs):
        base = super().get_changelist_form(request, **kwargs)

        class CompactRow(base):
            """The list's licence select by mode name only; the full wording is on the source's page."""

            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                if "licence_mode" in self.fields:
                    self.fields["licence_mode"].choices = [(mode, mode) for mode in LICENCE_MODES]

        return CompactRow

    @admin.action(description="Pause selected sources (stop polling)")
    def pause(self, request, queryset):
        self.message_user(request, f"{queryset.update(active=False)} source(s) paused.")
        content_changed()  # lists show which outlets are active

    @admin.action(description="Resume selected sources")
    def resume(self, request, queryset):
        self.message_user(request, f"{queryset.update(active=True)} source(s) resumed.")
        content_changed()


class TranslationInline(admin.StackedInline):
    model = Translation
    extra = 0


class StatusActions:
    """Publish / reject / withdraw, shared by the article list and the review queue."""

    @admin.action(description="Publish selected articles", permissions=["change"])
    def publish(self, request, queryset):
        self.message_user(request, f"{approve_articles(queryset)} article(s) published.")

    @admin.action(description="Reject selected articles", permissions=["change"])
    def reject(self, request, queryset):
        self.message_user(request, f"{reject_articles(queryset)} article(s) rejected.")

    @admin.action(description="Withdraw selected articles (off the site, feeds, sitemap and search now)",
                  permissions=["change"])
    def withdraw(self, request, queryset):
        count = withdraw_articles(queryset)
        self.message_user(request, f"{count} article(s) withdrawn.", messages.WARNING)


@admin.register(Article)
class ArticleAdmin(AnnouncesChanges, EmptyState, StatusActions, admin.ModelAdmin):
    empty_title = "No articles yet."
    empty_help = "Articles arrive when the sources are polled: `vistka fetch`, or `vistka run` on a schedule."
    list_display = ["title", "source", "language", "status", "error", "published_at", "story", "story_locked"]
    list_filter = ["status", "source", "language", "story_locked"]
    search_fields = ["title", "url"]
    date_hierarchy = "published_at"
    raw_id_fields = ["story", "duplicate_of"]
    autocomplete_fields = ["topics"]
    readonly_fields = ["content_hash", "fetched_at", "error"]
    inlines = [TranslationInline]
    actions = ["publish", "reject", "withdraw", "split_into_new_story", "unlock_story", "retry_quarantined"]

    def save_model(self, request, obj, form, change):
        # An editor who moves an article to another story has decided; clustering must keep it there.
        if "story" in form.changed_data:
            obj.story_locked = obj.story_id is not None
        # Status changes made in the form go through the same path as the actions.
        new_status = obj.status
        decided = new_status in DECISIONS
        if change and decided and "status" in form.changed_data:
            obj.status = form.initial["status"]
        super().save_model(request, obj, form, change)
        if change and decided and "status" in form.changed_data:
            set_status(obj, new_status)

    @admin.action(description="Split selected articles into a new story")
    def split_into_new_story(self, request, queryset):
        from vistka.pipeline.stories.grouping import split_articles

        story = split_articles(list(queryset))
        self.message_user(request, f"{queryset.count()} article(s) now form the story “{story}”.", messages.SUCCESS)

    @admin.action(description="Let clustering move the selected articles again")
    def unlock_story(self, request, queryset):
        queryset.update(story_locked=False)

    @admin.action(description="Retry the selected quarantined articles now")
    def retry_quarantined(self, request, queryset):
        from vistka.pipeline.run import retry_quarantined

        retried = retry_quarantined(articles=queryset)
        ok = sum(article.status not in (ArticleStatus.FAILED, ArticleStatus.QUARANTINED) for article in retried)
        self.message_user(request, f"{len(retried)} quarantined article(s) retried, {ok} went through.")


@admin.register(ReviewQueueItem)
class ReviewQueueAdmin(AnnouncesChanges, EmptyState, StatusActions, admin.ModelAdmin):
    empty_title = "Review queue is empty."
    empty_help = ("Articles wait here for an editor when their outlet is set to “review every article”, or when "
                  "the quality checks flag their machine translation. Nothing needs you now.")
    list_display = ["title", "source", "why", "fetched_at", "original"]
    list_filter = ["source"]
    search_fields = ["title"]
    actions = ["publish", "reject"]
    inlines = [TranslationInline]
    readonly_fields = ["source", "url", "language", "error", "fetched_at"]
    fields = ["source", "url", "language", "error", "title", "lead", "body_html"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=ArticleStatus.IN_REVIEW).select_related("source")

    def has_add_permission(self, request):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        from vistka.desk.review_desk import review_context

        item = self.get_object(request, object_id)
        extra = {"review": review_context(item), "title": "Review this article"} if item is not None else {}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def get_urls(self):
        decide = self.admin_site.admin_view(self.decide_view)
        return [path("<int:pk>/decide/", decide, name="core_reviewqueueitem_decide"), *super().get_urls()]

    def decide_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The Publish and Reject buttons of the review item page; then on to the next article waiting."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        decision = request.POST.get("decision")
        queryset = self.get_queryset(request).filter(pk=pk)
        item = queryset.first()
        if item is None or decision not in ("publish", "reject"):
            self.message_user(request, "That article is no longer in the review queue.", messages.WARNING)
            return HttpResponseRedirect(reverse("admin:core_reviewqueueitem_changelist"))
        if not self.has_change_permission(request, item):
            raise PermissionDenied
        if decision == "publish":
            approve_articles(queryset)
            self.message_user(request, format_html("Published “{}”.", display_title(item)), messages.SUCCESS)
        else:
            reject_articles(queryset)
            self.message_user(request, format_html("Rejected “{}”: it stays off the site.", display_title(item)),
                              messages.WARNING)
        following = self.get_queryset(request).order_by("fetched_at", "pk").first()
        if following is None:
            return HttpResponseRedirect(reverse("admin:core_reviewqueueitem_changelist"))
        return HttpResponseRedirect(reverse("admin:core_reviewqueueitem_change", args=[following.pk]))

    @admin.display(description="Why it waits", ordering="error")
    def why(self, obj):
        return obj.error or "held by an editor"

    @admin.display(description="Original")
    def original(self, obj):
        url = http_url(obj.url)  # editors click it: never a javascript: or data: link
        return format_html('<a href="{}" rel="noopener nofollow" target="_blank">open ↗</a>', url) if url else "—"


class StoryArticleInline(admin.TabularInline):
    model = Article
    fields = ["title", "source", "published_at", "story_locked", "duplicate_of"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Story)
class StoryAdmin(AnnouncesChanges, EmptyState, admin.ModelAdmin):
    empty_title = "No stories yet."
    empty_help = "Published articles about the same event are grouped into stories as they arrive."
    list_display = ["title", "article_count", "updated_at"]
    search_fields = ["title"]
    inlines = [StoryArticleInline]
    actions = ["merge"]

    @admin.display(description="articles")
    def article_count(self, story):
        return story.articles.count()

    @admin.action(description="Merge selected stories into the oldest one")
    def merge(self, request, queryset):
        from vistka.pipeline.stories.grouping import merge_stories

        if queryset.count() < 2:
            self.message_user(request, "Select at least two stories to merge.", messages.WARNING)
            return
        target = merge_stories(list(queryset))
        self.message_user(request, f"Merged into “{target}”.", messages.SUCCESS)


@admin.register(Comment)
class CommentAdmin(AnnouncesChanges, EmptyState, admin.ModelAdmin):
    empty_title = "No comments yet."
    list_display = ["name", "short_text", "article", "created_at", "approved"]
    list_filter = ["approved", "created_at"]
    search_fields = ["name", "text"]
    actions = ["approve", "unapprove", "delete_selected"]

    @admin.display(description="Comment")
    def short_text(self, obj):
        return obj.text[:80]

    @admin.action(description="Approve selected comments")
    def approve(self, request, queryset):
        self.message_user(request, f"{self._set_approved(queryset, True)} comment(s) approved.")

    @admin.action(description="Hide selected comments")
    def unapprove(self, request, queryset):
        self.message_user(request, f"{self._set_approved(queryset, False)} comment(s) hidden.")

    @staticmethod
    def _set_approved(queryset, approved: bool) -> int:
        comments = list(queryset.exclude(approved=approved).values_list("pk", "article_id"))
        Comment.objects.filter(pk__in=[pk for pk, _ in comments]).update(approved=approved)
        content_changed(article for _, article in comments)
        return len(comments)


@admin.register(FetchLog)
class FetchLogAdmin(admin.ModelAdmin):
    list_display = ["source", "at", "ok", "entries", "new", "failed", "error", "note"]
    list_filter = ["ok", "source"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created with `vistka apitoken USER`, which shows the secret once; here they are revoked."""

    list_display = ["name", "user", "created_at", "last_used_at"]
    readonly_fields = ["user", "name", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Topic)
class TopicAdmin(AnnouncesChanges, admin.ModelAdmin):
    list_display = ["name", "slug", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(RelatedArticle)
class RelatedArticleAdmin(AnnouncesChanges, admin.ModelAdmin):
    pass



admin.site.site_header = "vistka editor's desk"
admin.site.index_template = "admin/vistka_index.html"
