"""The reader's site, one module per page type.

The names the single-module `views.py` had are re-exported, so code written against it keeps working.
"""

from vistka.site.views.comments import post_comment
from vistka.site.views.common import display_text as _display_text
from vistka.site.views.common import language_name as _language_name
from vistka.site.views.common import published_articles
from vistka.site.views.common import with_translation as _with_translation
from vistka.site.views.pages import about, article, article_redirect, cookies, home, original, privacy, story

__all__ = ["_display_text", "_language_name", "_with_translation", "about", "article", "article_redirect",
           "cookies", "home", "original", "post_comment", "privacy", "published_articles", "story"]
