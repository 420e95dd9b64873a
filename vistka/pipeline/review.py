"""Review stage: decides whether a ready article must wait for an editor, and says why.

Articles from sources set to "review required", or whose translation QA raised flags, go to the
review queue (status in_review, the reasons in `error`); everything else publishes automatically.
"""

from __future__ import annotations

from django.conf import settings

from vistka.core.models import Article

SOURCE_REQUIRES_REVIEW = "source requires review"


def review_reasons(article: Article) -> list[str]:
    """Why `article` must wait for an editor; empty when it may publish on its own."""
    reasons = []
    if article.source.review_required:
        reasons.append(SOURCE_REQUIRES_REVIEW)
    # Asked afresh: the translation may have been stored after `article.translation` was cached.
    translation = article.translations.filter(language=settings.SITE_LANGUAGE).first()
    if translation and translation.qa_flags:
        reasons.append("translation QA: " + ", ".join(str(flag) for flag in translation.qa_flags))
    return reasons
