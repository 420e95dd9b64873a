"""Publish stage: whether a stored article appears on the site, and why not.

decide.py publishes, holds ("awaiting translation") or sends to review; review.py says why an article
must wait for an editor; tagging.py attaches the feed's categories, keywords and entities as Topics;
moderation.py is the editors' decisions (publish, reject, withdraw), one path for the admin, the API and
the CLI.
"""

from vistka.pipeline.publish.decide import approve, needs_translation, publish
from vistka.pipeline.publish.moderation import (
    DECISIONS,
    approve_articles,
    reject_articles,
    set_status,
    withdraw_articles,
)
from vistka.pipeline.publish.review import SOURCE_REQUIRES_REVIEW, review_reasons
from vistka.pipeline.publish.tagging import attach_topics

__all__ = ["DECISIONS", "SOURCE_REQUIRES_REVIEW", "approve", "approve_articles", "attach_topics",
           "needs_translation", "publish", "reject_articles", "review_reasons", "set_status", "withdraw_articles"]
