"""The editor's desk: the Django admin, arranged for people who run the news site day to day.

Sections: sources, articles (with withdraw/publish/reject), the review queue, comments moderation,
fetch history, API tokens (superusers only). Translation side-by-side/correction, glossary and story
merge/split are separate admin classes owned by their stages.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from vistka.core import translation_admin  # noqa: F401 (registers the translation desk)
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
from vistka.core.moderation import DECISIONS, approve_articles, reject_articles, set_status, withdraw_articles
from vistka.pipeline.discover import DiscoveryError, discover
from vistka.pipeline.fetch import FetchPolicy


class SourceForm(forms.ModelForm):
    """Adding a source by its home page: the feed is discovered when the editor leaves it empty."""

    class Meta:
        model = Source
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["feed_url"].required = False
        self.fields["feed_url"].help_text = "Leave empty to discover it from the home page."

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
class SourceAdmin(admin.ModelAdmin):
    form = SourceForm
    list_display = ["name", "language", "licence_mode", "review_required", "active", "health", "last_success_at",
                    "consecutive_failures", "entries_per_day", "next_poll_at"]
    list_editable = ["licence_mode", "review_required", "active"]
    list_filter = ["active", "language", "licence_mode", "review_required"]
    search_fields = ["name", "homepage", "feed_url"]
    health_fields = ["last_polled_at", "last_success_at", "last_error", "last_warning", "consecutive_failures",
                     "failing_since", "entries_per_day", "next_poll_at", "moved_to", "moved_polls"]
    readonly_fields = health_fields
    fieldsets = [
        (None, {"fields": ["name", "homepage", "feed_url", "language", "timezone"]}),
        ("Editorial policy", {"fields": ["licence_mode", "review_required", "active"]}),
        ("Health", {"fields": health_fields}),
    ]
    actions = ["pause", "resume"]

    @admin.display(description="health")
    def health(self, source: Source) -> str:
        from vistka.pipeline.health import health_state

        return health_state(source)

    @admin.action(description="Pause selected sources (stop polling)")
    def pause(self, request, queryset):
        self.message_user(request, f"{queryset.update(active=False)} source(s) paused.")

    @admin.action(description="Resume selected sources")
    def resume(self, request, queryset):
        self.message_user(request, f"{queryset.update(active=True)} source(s) resumed.")


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
class ArticleAdmin(StatusActions, admin.ModelAdmin):
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
        from vistka.pipeline.grouping import split_articles

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
class ReviewQueueAdmin(StatusActions, admin.ModelAdmin):
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

    @admin.display(description="Why it waits", ordering="error")
    def why(self, obj):
        return obj.error or "held by an editor"

    @admin.display(description="Original")
    def original(self, obj):
        return format_html('<a href="{}" rel="noopener nofollow" target="_blank">open ↗</a>', obj.url)


class StoryArticleInline(admin.TabularInline):
    model = Article
    fields = ["title", "source", "published_at", "story_locked", "duplicate_of"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["title", "article_count", "updated_at"]
    search_fields = ["title"]
    inlines = [StoryArticleInline]
    actions = ["merge"]

    @admin.display(description="articles")
    def article_count(self, story):
        return story.articles.count()

    @admin.action(description="Merge selected stories into the oldest one")
    def merge(self, request, queryset):
        from vistka.pipeline.grouping import merge_stories

        if queryset.count() < 2:
            self.message_user(request, "Select at least two stories to merge.", messages.WARNING)
            return
        target = merge_stories(list(queryset))
        self.message_user(request, f"Merged into “{target}”.", messages.SUCCESS)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["name", "short_text", "article", "created_at", "approved"]
    list_filter = ["approved", "created_at"]
    search_fields = ["name", "text"]
    actions = ["approve", "unapprove", "delete_selected"]

    @admin.display(description="Comment")
    def short_text(self, obj):
        return obj.text[:80]

    # One save per comment (not queryset.update) so signals refresh the cached article pages.
    @admin.action(description="Approve selected comments")
    def approve(self, request, queryset):
        self.message_user(request, f"{self._set_approved(queryset, True)} comment(s) approved.")

    @admin.action(description="Hide selected comments")
    def unapprove(self, request, queryset):
        self.message_user(request, f"{self._set_approved(queryset, False)} comment(s) hidden.")

    @staticmethod
    def _set_approved(queryset, approved: bool) -> int:
        changed = 0
        for comment in queryset.exclude(approved=approved):
            comment.approved = approved
            comment.save(update_fields=["approved"])
            changed += 1
        return changed


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
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]


admin.site.register(RelatedArticle)
admin.site.site_header = "vistka editor's desk"
admin.site.index_template = "admin/vistka_index.html"
