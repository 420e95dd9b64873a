"""Review stage: decides whether a ready article must wait for an editor, and says why.

Articles from sources set to "review required", whose extraction found no convincing article body
(extract.py, candidates.py), or whose translation has QA flags that
VISTKA_TRANSLATION_HOLD_FLAGS holds, go to the review queue (status in_review, the reasons in `error`); everything else publishes automatically.
"""

from __future__ import annotations

from vistka.core.models import Article
from vistka.pipeline.translate import translating

SOURCE_REQUIRES_REVIEW = "source requires review"


def review_reasons(article: Article) -> list[str]:
    """Why `article` must wait for an editor; empty when it may publish on its own."""
    reasons = []
    if article.source.review_required:
        reasons.append(SOURCE_REQUIRES_REVIEW)
    if article.extraction_doubt:
        reasons.append(f"extraction: {article.extraction_doubt}")
    held = translating.review_reason(article)
    if held:
        reasons.append(held)
    return reasons
