"""Every fixed list of choices, declared once: licence modes (and their default), translation engines,
QA flags. Django-free, so the CLI can offer them before Django is set up; the model fields, the
admin, the API schemas, the CLI options, OPML import and the settings parser all read them from here.
"""

from __future__ import annotations

# How much of an outlet's article vistka republishes (see vistka/core/licence.py), with the words the
# admin shows. The default is the cautious one: full text only once an editor has the outlet's leave.
LICENCE_MODES: dict[str, str] = {
    "full": "Full text (the outlet's licence allows republishing)",
    "excerpt": "Excerpt: lead and opening, with a link to the original",
    "link": "Link only: title and summary",
}
DEFAULT_LICENCE_MODE = "excerpt"

ENGINES = ("ctranslate2", "openai", "libretranslate", "none")

# What the translation checks flag for an editor (vistka/pipeline/translate/quality.py).
QA_FLAGS = ("number", "date", "cyrillic", "glossary", "length", "engine")

# Where an article page's rel=canonical points (Source.canonical). "auto" follows the search engines'
# rule for syndicated content: a full-text copy names the outlet's original, an excerpt is our own page.
CANONICAL_MODES: dict[str, str] = {
    "auto": "By licence mode: the original for full-text copies, this site for excerpts and links",
    "original": "Always the outlet's original article",
    "site": "Always this site's article page",
}
DEFAULT_CANONICAL_MODE = "auto"

# Each QA flag in words, for the editor who decides on a held article.
QA_FLAG_MEANINGS: dict[str, str] = {
    "number": "a number in the original is missing from the translation",
    "date": "a month named in the original is not named in the translation",
    "cyrillic": "Cyrillic letters were left in the translation",
    "glossary": "a glossary term did not get its established form",
    "length": "the translation is much shorter or longer than the original (a clause dropped or invented?)",
    "engine": "the engine returned nothing for a sentence",
}
