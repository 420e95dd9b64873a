"""Editor's desk for translations: original and translation side by side, segment corrections that
go into the translation memory, the memory itself and the glossary."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from vistka.core.models import GlossaryEntry, Translation, TranslationMemory
from vistka.pipeline.translate import TranslationUnavailable


@admin.register(Translation)
class TranslationAdmin(admin.ModelAdmin):
    list_display = ["title", "article", "engine", "model_id", "flag_summary", "reviewed", "created_at"]
    list_filter = ["engine", "reviewed", "article__status"]
    search_fields = ["title", "article__title"]
    raw_id_fields = ["article"]
    readonly_fields = ["engine", "model_id", "flags", "created_at", "side_by_side"]
    actions = ["publish_reviewed"]

    @admin.action(description="Mark reviewed and publish their articles")
    def publish_reviewed(self, request, queryset) -> None:
        queryset.update(reviewed=True)
        _publish_articles(list(queryset.values_list("article_id", flat=True)))

    @admin.display(description="QA flags")
    def flag_summary(self, translation: Translation) -> str:
        return ", ".join(sorted({flag.get("kind", "?") for flag in translation.flags or []})) or "—"

    @admin.display(description="Review")
    def side_by_side(self, translation: Translation) -> str:
        if not translation.pk:
            return "—"
        url = reverse("admin:core_translation_segments", args=[translation.pk])
        return format_html('<a href="{}">Original and translation side by side, correct segments</a>', url)

    def get_urls(self):
        view = self.admin_site.admin_view(self.segments_view)
        return [path("<int:pk>/segments/", view, name="core_translation_segments"), *super().get_urls()]

    def segments_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        from vistka.pipeline.translate.segments import correct_segments, segment_rows

        translation = get_object_or_404(Translation.objects.select_related("article__source"), pk=pk)
        if not self.has_change_permission(request, translation):
            return HttpResponse(status=403)
        rows = segment_rows(translation)
        if request.method == "POST":
            corrections = {row.source: request.POST.get(f"segment-{index}", "").strip()
                           for index, row in enumerate(rows)}
            changed = {source: text for source, text in corrections.items()
                       if text and text != next(row.translation for row in rows if row.source == source)}
            publish = "publish" in request.POST
            try:
                with transaction.atomic():
                    correct_segments(translation, changed)
                    if publish:
                        _publish_articles([translation.article_id])
            except TranslationUnavailable as error:
                messages.error(request, f"not saved: {error}; translate the article again first")
                return HttpResponseRedirect(request.path)
            messages.success(request, f"{len(changed)} segment(s) corrected and remembered"
                                      + (", article published" if publish else ""))
            return HttpResponseRedirect(request.path)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "translation": translation,
                   "article": translation.article, "rows": rows, "title": f"Review: {translation.title}",
                   "site_language": settings.SITE_LANGUAGE}
        return TemplateResponse(request, "admin/core/translation/segments.html", context)


def _publish_articles(article_ids: list[int]) -> None:
    from vistka.core.models import Article
    from vistka.pipeline.publish import approve_articles

    Translation.objects.filter(article_id__in=article_ids).update(reviewed=True)
    approve_articles(Article.objects.filter(pk__in=article_ids))


@admin.register(TranslationMemory)
class TranslationMemoryAdmin(admin.ModelAdmin):
    list_display = ["source_text", "target_text", "engine", "model_id", "hits", "corrected"]
    list_filter = ["engine", "corrected", "source_lang", "target_lang"]
    search_fields = ["source_text", "target_text"]
    readonly_fields = ["source_hash", "hits", "created_at"]

    def save_model(self, request, obj, form, change) -> None:
        from vistka.pipeline.translate.memory import segment_hash

        obj.source_hash = segment_hash(obj.source_text)  # the key must follow an edited source text
        if "target_text" in form.changed_data:
            obj.corrected = True
        super().save_model(request, obj, form, change)


class GlossaryEntryForm(forms.ModelForm):
    variants = forms.CharField(required=False, widget=forms.TextInput(attrs={"size": 80}),
                               help_text="Wrong forms engines produce, comma-separated: Kiev, Kyev")

    class Meta:
        model = GlossaryEntry
        fields = ["source_lang", "target_lang", "source", "target", "kind", "variants"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["variants"] = ", ".join(self.instance.variants or [])

    def clean_variants(self) -> list[str]:
        return [variant.strip() for variant in self.cleaned_data["variants"].split(",") if variant.strip()]


@admin.register(GlossaryEntry)
class GlossaryEntryAdmin(admin.ModelAdmin):
    form = GlossaryEntryForm
    list_display = ["source", "target", "kind", "source_lang", "target_lang"]
    list_filter = ["kind", "source_lang", "target_lang"]
    search_fields = ["source", "target"]
