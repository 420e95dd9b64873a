"""The stored data: outlets, their articles, translations, stories and reader comments."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify


class LicenceMode(models.TextChoices):
    FULL = "full", "Full text (the outlet's licence allows republishing)"
    EXCERPT = "excerpt", "Excerpt: lead and opening, with a link to the original"
    LINK = "link", "Link only: title and summary"


class Source(models.Model):
    """One news outlet and the feed vistka polls."""

    name = models.CharField(max_length=200, unique=True)
    homepage = models.URLField(max_length=1000, blank=True)
    feed_url = models.URLField(max_length=1000)
    language = models.CharField(max_length=8, help_text="Language of the outlet's articles, e.g. uk or en.")
    licence_mode = models.CharField(max_length=10, choices=LicenceMode.choices, default=LicenceMode.FULL)
    active = models.BooleanField(default=True)

    # Health, shown to the operator in `vistka status` and the admin.
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True, help_text="When the scheduler polls it next.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def domain(self) -> str:
        from urllib.parse import urlsplit

        host = urlsplit(self.homepage or self.feed_url).hostname or ""
        return host.removeprefix("www.")


class Story(models.Model):
    """A group of articles from one or more outlets about the same event."""

    title = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.title


class ArticleStatus(models.TextChoices):
    FETCHED = "fetched", "Fetched, not yet processed"
    FAILED = "failed", "Failed (see error)"
    AWAITING_TRANSLATION = "awaiting_translation", "Awaiting translation"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"


class Article(models.Model):
    """One article as the outlet published it, in its original language."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="articles")
    guid = models.CharField(max_length=1000, help_text="The feed entry's id (or its link when it has none).")
    url = models.URLField(max_length=2000, help_text="The original article's address.")
    canonical_url = models.URLField(max_length=2000, blank=True)
    slug = models.SlugField(max_length=120, allow_unicode=False, blank=True)

    title = models.CharField(max_length=1000, blank=True)
    lead = models.TextField(blank=True)
    body_html = models.TextField(blank=True, help_text="Sanitised HTML of the article body.")
    feed_summary = models.TextField(blank=True)
    language = models.CharField(max_length=8, blank=True)
    authors = models.JSONField(default=list, blank=True)
    image_url = models.URLField(max_length=2000, blank=True, help_text="The outlet's lead image.")
    image_file = models.CharField(max_length=200, blank=True, help_text="Our resized copy, under MEDIA_ROOT.")
    image_width = models.PositiveIntegerField(null=True, blank=True)
    image_height = models.PositiveIntegerField(null=True, blank=True)
    read_also = models.JSONField(default=list, blank=True, help_text='[{"url": ..., "title": ...}]')
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    fetched_at = models.DateTimeField(default=timezone.now)

    status = models.CharField(max_length=24, choices=ArticleStatus.choices, default=ArticleStatus.FETCHED)
    error = models.TextField(blank=True, help_text="Why the last pipeline stage failed or is waiting.")
    story = models.ForeignKey(Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles")
    related = models.ManyToManyField("self", through="RelatedArticle", symmetrical=False, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "guid"], name="unique_entry_per_source"),
            models.UniqueConstraint(fields=["url"], name="unique_article_url"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"]),
            models.Index(fields=["content_hash"]),
        ]

    def __str__(self) -> str:
        return self.title or self.url

    def save(self, *args, **kwargs) -> None:
        if not self.slug and self.title:
            self.slug = slugify(self.title)[:100] or "article"
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("article", kwargs={"pk": self.pk, "slug": self.display_slug})

    @property
    def display_slug(self) -> str:
        translation = self.translation
        if translation and translation.title:
            return slugify(translation.title)[:100] or "article"
        return self.slug or "article"

    @property
    def translation(self) -> Translation | None:
        """The translation into the site language, if any (prefetched by the views)."""
        from django.conf import settings

        cached = getattr(self, "_site_translation", None)
        if cached is not None:
            return cached or None
        found = self.translations.filter(language=settings.SITE_LANGUAGE).first()
        self._site_translation = found or False
        return found


class Translation(models.Model):
    """An article translated into the site language, with the engine that did it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8)
    title = models.CharField(max_length=1000)
    lead = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    engine = models.CharField(max_length=40)
    model_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="one_translation_per_language"),
        ]

    def __str__(self) -> str:
        return f"{self.title} [{self.language}, {self.engine}]"


class RelatedArticle(models.Model):
    """A precomputed 'related post' link, so article pages need no similarity search per view."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_links")
    related = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()

    class Meta:
        ordering = ["-score"]
        constraints = [models.UniqueConstraint(fields=["article", "related"], name="unique_related_pair")]


class Comment(models.Model):
    """A reader's comment; shown only after an editor approves it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    name = models.CharField(max_length=80)
    email = models.EmailField(blank=True, help_text="Never shown on the site.")
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    approved = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.name} on {self.article_id}"
