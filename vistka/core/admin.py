from django.contrib import admin, messages

from vistka.core.models import Article, Comment, RelatedArticle, Source, Story, Translation


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
    list_display = ["title", "source", "language", "status", "published_at", "story", "story_locked"]
    list_filter = ["status", "source", "language", "story_locked"]
    search_fields = ["title", "url"]
    date_hierarchy = "published_at"
    raw_id_fields = ["story", "duplicate_of"]
    readonly_fields = ["content_hash", "fetched_at", "error"]
    inlines = [TranslationInline]
    actions = ["split_into_new_story", "unlock_story"]

    def save_model(self, request, obj, form, change):
        # An editor who moves an article to another story has decided; clustering must keep it there.
        if "story" in form.changed_data:
            obj.story_locked = obj.story_id is not None
        super().save_model(request, obj, form, change)

    @admin.action(description="Split selected articles into a new story")
    def split_into_new_story(self, request, queryset):
        from vistka.pipeline.grouping import split_articles

        story = split_articles(list(queryset))
        self.message_user(request, f"{queryset.count()} article(s) now form the story “{story}”.", messages.SUCCESS)

    @admin.action(description="Let clustering move the selected articles again")
    def unlock_story(self, request, queryset):
        queryset.update(story_locked=False)


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
    list_display = ["name", "article", "created_at", "approved"]
    list_filter = ["approved"]
    search_fields = ["name", "text"]
    actions = ["approve", "unapprove"]

    @admin.action(description="Approve selected comments")
    def approve(self, request, queryset):
        queryset.update(approved=True)

    @admin.action(description="Hide selected comments")
    def unapprove(self, request, queryset):
        queryset.update(approved=False)


admin.site.register(RelatedArticle)
admin.site.site_header = "vistka editor's desk"
