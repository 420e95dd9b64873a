"""The stored data: outlets, their articles, translations, stories and reader comments."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.urls import reverse
from django.utils import timezone

from vistka.config.choices import (
    CANONICAL_MODES,
    DEFAULT_CANONICAL_MODE,
    DEFAULT_LICENCE_MODE,
    ENGINES,
    LICENCE_MODES,
)
from vistka.core.slugs import make_slug

# Declared in vistka/config/choices.py (with the CLI's, the API's and OPML import's default).
LicenceMode = models.TextChoices("LicenceMode", [(value.upper(), (value, label)) for value, label in LICENCE_MODES.items()])


class Source(models.Model):
    """One news outlet and the feed vistka polls."""

    name = models.CharField(max_length=200, unique=True)
    homepage = models.URLField(max_length=1000, blank=True)
    feed_url = models.URLField(max_length=1000)
    language = models.CharField(max_length=8, help_text="Language of the outlet's articles, e.g. uk or en.")
    translation_engine = models.CharField(
        max_length=20, blank=True, choices=[(name, name) for name in ENGINES],
        help_text="Overrides VISTKA_TRANSLATION_ENGINE for this source; empty: the site's engine.")
    licence_mode = models.CharField(max_length=10, choices=LicenceMode.choices, default=DEFAULT_LICENCE_MODE)
    canonical = models.CharField(
        "rel=canonical", max_length=10, choices=list(CANONICAL_MODES.items()), default=DEFAULT_CANONICAL_MODE,
        help_text="Where this outlet's article pages tell search engines the article's own address is.")
    active = models.BooleanField(default=True)
    extraction_rules = models.JSONField(
        default=dict, blank=True,
        help_text="This outlet's extraction rule fields (body, title, published, authors, image, lead, remove, "
                  "date_format, timezone), on top of the shipped rule; see docs/extraction.md.")
    review_required = models.BooleanField(
        default=False, help_text="Hold every new article from this outlet for an editor before it is published.")
    timezone = models.CharField(
        max_length=64, blank=True,
        help_text="IANA time zone (e.g. Europe/Kyiv) for the outlet's dates that give none; empty: the "
                  "edition's (VISTKA_TIME_ZONE). See docs/sources.md.")

    # Health, shown to the operator in `vistka status` and the admin.
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True,
                                        help_text="When the scheduler polls this source next.")
    failing_since = models.DateTimeField(null=True, blank=True,
                                         help_text="Start of the current run of failed polls.")
    entries_per_day = models.FloatField(default=0.0, help_text="New articles per day, last 7 days.")
    last_warning = models.TextField(blank=True, help_text="What the last successful poll skipped, and why.")
    moved_to = models.URLField(max_length=1000, blank=True,
                               help_text="Where the feed answered with a permanent redirect (301/308) on the last polls.")
    moved_polls = models.PositiveIntegerField(
        default=0, help_text="Polls in a row redirected permanently to moved_to; at VISTKA_SOURCE_MOVED_AFTER "
                             "the feed URL is updated (recorded in the fetch log).")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from vistka.rules import RuleError, rule_from_mapping

        if self.timezone:
            from zoneinfo import ZoneInfo

            try:
                ZoneInfo(self.timezone)
            except (ValueError, KeyError, OSError):
                raise ValidationError({"timezone": f"unknown time zone {self.timezone!r} (e.g. Europe/Kyiv)"}) from None

        try:
            rule_from_mapping({"name": self.name, **(self.extraction_rules or {})}, source=self.name)
        except (RuleError, TypeError) as error:
            raise ValidationError({"extraction_rules": str(error)}) from None

    @property
    def domain(self) -> str:
        from urllib.parse import urlsplit

        host = urlsplit(self.homepage or self.feed_url).hostname or ""
        return host.removeprefix("www.")

    @property
    def display_slug(self) -> str:
        return make_slug(self.name, self.language, "source")

    def get_absolute_url(self) -> str:
        return reverse("source", kwargs={"pk": self.pk, "slug": self.display_slug})

    @property
    def time_zone(self) -> str:
        """The zone for the outlet's dates that give none: its own, else the edition's (the site's)."""
        from django.conf import settings

        return self.timezone or settings.TIME_ZONE


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

    @property
    def display_slug(self) -> str:
        return make_slug(self.title, fallback="story")

    def get_absolute_url(self) -> str:
        return reverse("story", kwargs={"pk": self.pk, "slug": self.display_slug})


class TopicKind(models.TextChoices):
    CATEGORY = "category", "Feed category"
    ENTITY = "entity", "Named entity"


class Topic(models.Model):
    """A tag readers can follow: a feed category or a named entity, shared across outlets."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True, allow_unicode=True)
    kind = models.CharField(max_length=10, choices=TopicKind.choices, default=TopicKind.CATEGORY)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("topic", kwargs={"slug": self.slug})


class ArticleStatus(models.TextChoices):
    FETCHED = "fetched", "Fetched, not yet processed"
    FAILED = "failed", "Failed (see error)"
    AWAITING_TRANSLATION = "awaiting_translation", "Awaiting translation"
    PUBLISHED = "published", "Published"
    IN_REVIEW = "in_review", "In review"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    QUARANTINED = "quarantined", "Quarantined (kept failing; `vistka retry-quarantined`)"


class ArticleQuerySet(models.QuerySet):
    """The shared queries on articles, defined once for the site, the API and the stories stage."""

    def published_with_translation(self) -> ArticleQuerySet:
        """Published articles (never anything else), their source joined and their translation into
        the site language prefetched, so that Article.translation answers without a query per article
        once take_prefetched_translation() has run (the site's pages, the API's records, the story index).
        """
        from django.conf import settings

        in_site_language = Translation.objects.filter(language=settings.SITE_LANGUAGE)
        return (self.filter(status=ArticleStatus.PUBLISHED).select_related("source")
                .prefetch_related(models.Prefetch("translations", queryset=in_site_language,
                                                  to_attr="site_translations")))


TITLE_MAX_LENGTH = 1000  # an article's headline is cut to this when stored (Article.title)


class Article(models.Model):
    """One article as the outlet published it, in its original language."""

    objects = ArticleQuerySet.as_manager()

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="articles")
    guid = models.CharField(max_length=1000, help_text="The feed entry's id (or its link when it has none).")
    url = models.URLField(max_length=2000, help_text="The original article's address.")
    canonical_url = models.URLField(max_length=2000, blank=True)
    slug = models.SlugField(max_length=120, allow_unicode=False, blank=True)

    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
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
    extraction_doubt = models.TextField(
        blank=True, help_text="Why extraction found no convincing article body; the article then waits for an editor.")
    fetched_at = models.DateTimeField(default=timezone.now)

    status = models.CharField(max_length=24, choices=ArticleStatus.choices, default=ArticleStatus.FETCHED)
    error = models.TextField(blank=True, help_text="Why the last pipeline stage failed or is waiting.")
    fetch_attempts = models.PositiveIntegerField(default=0, help_text="Failed fetches so far (retries back off).")
    story = models.ForeignKey(Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles")
    story_locked = models.BooleanField(
        default=False, help_text="An editor placed this article in its story; clustering never moves it.")
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="duplicates", help_text="The article this one copies or lightly rewrites.")
    related = models.ManyToManyField("self", through="RelatedArticle", symmetrical=False, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="articles")

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "guid"], name="unique_entry_per_source"),
            models.UniqueConstraint(fields=["url"], name="unique_article_url"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"]),
            models.Index(fields=["content_hash"]),
            # An outlet's page and feed, newest first: without it, a small outlet's page walked every
            # outlet's articles in date order to find its own.
            models.Index(fields=["source", "status", "-published_at"], name="article_source_listing"),
        ]

    def __str__(self) -> str:
        return self.title or self.url

    def save(self, *args, **kwargs) -> None:
        if not self.slug and self.title:
            self.slug = make_slug(self.title, self.language, "article")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("article", kwargs={"pk": self.pk, "slug": self.display_slug})

    @property
    def display_slug(self) -> str:
        translation = self.translation
        if translation and translation.title:
            return make_slug(translation.title, translation.language, "article")
        if self.slug == "article" and self.title:  # stored before titles were transliterated
            return make_slug(self.title, self.language, "article")
        return self.slug or "article"

    @property
    def shown_at(self) -> datetime:
        """The time an article is shown and compared by: its publication time, or, for an entry that
        gave none (stored before extraction could date it), when we fetched it."""
        return self.published_at or self.fetched_at

    def take_prefetched_translation(self) -> bool:
        """Let Article.translation answer from the list published_with_translation() prefetched;
        False (nothing changed) when the article was loaded without it."""
        prefetched = getattr(self, "site_translations", None)
        if prefetched is None:
            return False
        self._site_translation = prefetched[0] if prefetched else False
        return True

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


EDITORS = "editors"  # Translation.engine of a translation written by people (the editors' memory), not a machine


class Translation(models.Model):
    """An article translated into the site language, with the engine that did it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8)
    title = models.CharField(max_length=1000)
    lead = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    engine = models.CharField(max_length=40)
    model_id = models.CharField(max_length=200, blank=True)
    flags = models.JSONField(default=list, blank=True,
                             help_text='QA flags: [{"kind": "number", "detail": "14,5"}, ...]; empty: none.')
    reviewed = models.BooleanField(default=False, help_text="An editor has checked this translation.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="one_translation_per_language"),
        ]

    def __str__(self) -> str:
        return f"{self.title} [{self.language}, {self.engine}]"

    @property
    def provenance(self) -> str:
        """Who translated it, as readers are told: "editors" (people) or "machine" (an engine)."""
        return "editors" if self.engine == EDITORS else "machine"


class TranslationMemory(models.Model):
    """One segment (a sentence) translated by one engine and model: reused instead of translated again."""

    engine = models.CharField(max_length=40)
    model_id = models.CharField(max_length=200)
    source_lang = models.CharField(max_length=8)
    target_lang = models.CharField(max_length=8)
    source_hash = models.CharField(max_length=64, help_text="sha256 of source_text.")
    source_text = models.TextField()
    target_text = models.TextField()
    hits = models.PositiveIntegerField(default=0, help_text="Times reused instead of translated.")
    corrected = models.BooleanField(default=False, help_text="An editor wrote or corrected this translation.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "translation memory"
        constraints = [
            models.UniqueConstraint(fields=["engine", "model_id", "source_lang", "target_lang", "source_hash"],
                                    name="unique_memory_segment"),
        ]

    def __str__(self) -> str:
        return self.source_text[:80]


class GlossaryEntry(models.Model):
    """A name, place, institution or abbreviation and its established form in the target language."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        PLACE = "place", "Place"
        INSTITUTION = "institution", "Institution"
        ABBREVIATION = "abbreviation", "Abbreviation"
        TERM = "term", "Term"

    source_lang = models.CharField(max_length=8, default="uk")
    target_lang = models.CharField(max_length=8, default="en")
    source = models.CharField(max_length=200, help_text="The term in its dictionary form, e.g. Олександр Сирський.")
    target = models.CharField(max_length=200, help_text="The established form, e.g. Oleksandr Syrskyi.")
    variants = models.JSONField(default=list, blank=True,
                                help_text='Wrong forms engines produce, replaced by the target: ["Syrsky"].')
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TERM)

    class Meta:
        ordering = ["source"]
        verbose_name_plural = "glossary entries"
        constraints = [
            models.UniqueConstraint(fields=["source_lang", "target_lang", "source"], name="unique_glossary_term"),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


class RelatedArticle(models.Model):
    """A precomputed 'related post' link, so article pages need no similarity search per view."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_links")
    related = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()

    class Meta:
        ordering = ["-score"]
        constraints = [models.UniqueConstraint(fields=["article", "related"], name="unique_related_pair")]


class StoryChange(models.Model):
    """An article whose place among the stories changed (grouped, moved by an editor, taken down,
    re-translated, deleted): the log that keeps each worker's in-memory story index in step with the
    database (vistka/pipeline/stories/grouping.py). Written only under the "stories" lock, so ids grow in
    commit order."""

    id = models.BigAutoField(primary_key=True)
    article_id = models.BigIntegerField()  # no foreign key: deletions are logged too

    def __str__(self) -> str:
        return f"#{self.id}: article {self.article_id}"


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


class FetchLog(models.Model):
    """One poll of one source: what the dashboard's success rates and throughput are computed from."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="fetch_logs")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    ok = models.BooleanField()
    error = models.TextField(blank=True)
    entries = models.PositiveIntegerField(default=0)
    new = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True, help_text="What changed on the source with this poll (e.g. its feed moved).")

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.source} at {self.at:%Y-%m-%d %H:%M}: {'ok' if self.ok else self.error}"


class ReviewQueueItem(Article):
    """The review queue in the admin: articles waiting for an editor, with the reason why."""

    class Meta:
        proxy = True
        verbose_name = "article in review"
        verbose_name_plural = "review queue"


class ApiToken(models.Model):
    """A secret that lets a program manage sources and article statuses through the API as `user`."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'newsroom bot'.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"
