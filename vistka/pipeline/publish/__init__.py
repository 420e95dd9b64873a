"""Publish stage: whether a stored article appears on the site, and why not.

decide.py publishes, holds ("awaiting translation") or sends to review; review.py says why an article
must wait for an editor; tagging.py attaches the feed's categories, keywords and entities as Topics.
"""

from vistka.pipeline.publish.decide import approve, needs_translation, publish
from vistka.pipeline.publish.review import SOURCE_REQUIRES_REVIEW, review_reasons
from vistka.pipeline.publish.tagging import attach_topics

__all__ = ["SOURCE_REQUIRES_REVIEW", "approve", "attach_topics", "needs_translation", "publish", "review_reasons"]
