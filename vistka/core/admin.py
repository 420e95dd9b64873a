from django.contrib import admin

from vistka.core.models import Article, Comment, RelatedArticle, Source, Story, Topic, Translation


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "licence_mode", "active", "last_success_at", "consecutive_failures"]
    list_filter = ["active", "language", "licence_mode"]
    search_fields = ["name", "homepage", "feed_url"]
    readonly_fields = ["last_polled_at", "last_success_at", "last_error", "consecutive_failures"]


class TranslationInline(admin.StackedInline):
    model = Translation
    extra = 0


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "language", "status", "published_at", "story"]
    list_filter = ["status", "source", "language"]
    search_fields = ["title", "url"]
    date_hierarchy = "published_at"
    raw_id_fields = ["story"]
    autocomplete_fields = ["topics"]
    readonly_fields = ["content_hash", "fetched_at", "error"]
    inlines = [TranslationInline]


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["title", "updated_at"]
    search_fields = ["title"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["name", "article", "created_at", "approved"]
    list_filter = ["approved"]
    search_fields = ["name", "text"]
    actions = ["approve", "unapprove"]

    # One save per comment (not queryset.update) so signals refresh the cached article pages.
    @admin.action(description="Approve selected comments")
    def approve(self, request, queryset):
        for comment in queryset:
            comment.approved = True
            comment.save(update_fields=["approved"])

    @admin.action(description="Hide selected comments")
    def unapprove(self, request, queryset):
        for comment in queryset:
            comment.approved = False
            comment.save(update_fields=["approved"])


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]


admin.site.register(RelatedArticle)
admin.site.site_header = "vistka editor's desk"
