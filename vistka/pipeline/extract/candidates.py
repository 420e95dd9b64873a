"""Choosing an article body among candidates on evidence, not in a fixed order.

Candidates: trafilatura (its defaults), the page's JSON-LD `articleBody` (when visible on the page),
and readability-lxml's article, asked only when no other candidate is convincing (it costs as much
again). The evidence: length, the share of words inside links, agreement between candidates, and
how much of the page's own description and headline a candidate contains. When none is convincing,
the best one is still returned, with a `doubt` that sends the article to the editor's review queue.
Also here: the outlet's name taken off a headline ("Headline | Outlet").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import lxml.html

from vistka.pipeline.extract.body import Body

WORD = re.compile(r"\w+")
LONG_WORDS = 150  # this much prose with few links is an article on its own
NO_ARTICLE_WORDS = 3  # fewer words are a label left over (a menu item, "Home"), never an article
SHORT_WORDS = 40  # below this, nothing is convincing: a brief of two lines is not a body we can check
MAX_LINK_DENSITY = 0.4  # more of the words in links: a list of teasers, a "Read next" box, a menu
DESCRIPTION_SHARE = 0.6  # this share of the description's words in the body supports it
AGREEMENT = 0.5  # two candidates sharing this share of the smaller one's 4-grams agree


@dataclass
class Candidate:
    method: str
    body: Body | None
    link_density: float = 0.0
    raw_text: str = ""  # before cleaning, which takes out a standfirst that repeats the description

    @functools.cached_property  # asked many times while choosing; the body does not change
    def words(self) -> int:
        return len(WORD.findall(self.body.text)) if self.body else 0


@dataclass
class Evidence:
    title: str = ""
    description: str = ""


def link_density(container: lxml.html.HtmlElement, text: str) -> float:
    total = len(WORD.findall(text))
    linked = sum(len(WORD.findall(anchor.text_content())) for anchor in container.iter("a"))
    return linked / total if total else 0.0


def _supports_head(candidate: Candidate, evidence: Evidence) -> bool:
    """Whether the candidate carries the page's own summary of itself (its description, else headline)."""
    got = set(WORD.findall((candidate.raw_text or (candidate.body.text if candidate.body else "")).casefold()))
    for summary in (evidence.description, evidence.title):
        wanted = set(WORD.findall(summary.casefold()))
        if len(wanted) >= 5 and len(wanted & got) >= DESCRIPTION_SHARE * len(wanted):
            return True
    return False


def doubt(candidate: Candidate, evidence: Evidence) -> str:
    """Why the candidate is not convincing on its own; empty when it is."""
    if candidate.body is None or not candidate.body.text:
        return "no text"
    if candidate.link_density > MAX_LINK_DENSITY:
        return f"mostly links ({candidate.link_density:.0%} of its words)"
    if candidate.words < SHORT_WORDS:
        return f"too short ({candidate.words} words)"
    if candidate.words < LONG_WORDS and not _supports_head(candidate, evidence):
        return f"short ({candidate.words} words) and unrelated to the page's description and headline"
    return ""


def convincing(candidate: Candidate, evidence: Evidence) -> bool:
    return not doubt(candidate, evidence)


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = WORD.findall(text.casefold())
    return {tuple(words[i:i + 4]) for i in range(len(words) - 3)}


def agree(one: Candidate, other: Candidate) -> bool:
    a, b = (_shingles(c.body.text) if c.body else set() for c in (one, other))
    return bool(a and b) and len(a & b) >= AGREEMENT * min(len(a), len(b))


PREFERENCE = ("rule", "json-ld", "trafilatura", "readability")  # among equally supported candidates


def choose(found: list[Candidate], evidence: Evidence) -> tuple[Candidate | None, str, str]:
    """(the chosen candidate, why it won, doubt). The doubt is empty when the choice is convincing.

    The first candidate in PREFERENCE order that is convincing on its own, or that another candidate
    agrees with, wins (JSON-LD is offered only when it is on the page and trafilatura missed part of
    it; readability only when neither convinced). With none, the least doubtful one, with a doubt."""
    usable = sorted((c for c in found if c.body is not None and c.words >= NO_ARTICLE_WORDS),
                    key=lambda c: PREFERENCE.index(c.method) if c.method in PREFERENCE else len(PREFERENCE))
    # readability reads any page as an article, menus too: unsupported, it is no candidate at all
    usable = [c for c in usable if c.method != "readability" or convincing(c, evidence)
              or any(agree(c, other) for other in usable if other is not c)]
    if not usable:
        return None, "", ""
    for candidate in usable:
        reason = doubt(candidate, evidence)
        rejected = "; ".join(f"{c.method}: {doubt(c, evidence)}" for c in found if c is not candidate)
        if not reason:
            why = f"{candidate.words} words, {candidate.link_density:.0%} in links"
            return candidate, why + (f" (not {rejected})" if rejected and candidate is not usable[0] else ""), ""
        if candidate.link_density <= MAX_LINK_DENSITY:
            backer = next((c for c in usable if c is not candidate and agree(candidate, c)), None)
            if backer:
                return candidate, f"{reason}, but {backer.method} agrees", ""
    best = max(usable, key=lambda c: c.words * (1 - c.link_density))
    reasons = "; ".join(f"{c.method}: {doubt(c, evidence)}" for c in found)
    return best, "the least doubtful candidate", f"no convincing article body ({reasons})"


# --- the outlet's name in headlines ----------------------------------------------------------------

TITLE_SEPARATOR = re.compile(r"\s+[|–—\-:·•/»]\s+|\s*[|•»]\s*")


def _squashed(text: str) -> str:
    return "".join(WORD.findall(text.casefold()))


def _host_names(url: str) -> set[str]:
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    labels = host.split(".")
    return {_squashed(host), *(_squashed(label) for label in labels[:-1] if len(label) > 2)} - {""}


def _names_outlet(part: str, site_name: str, url: str) -> bool:
    squashed = _squashed(part)
    if not squashed:
        return False
    site = _squashed(site_name)
    return bool(site) and (squashed == site or (len(site) > 3 and squashed.startswith(site))) \
        or squashed in _host_names(url)


def without_site_name(title: str, site_name: str, url: str) -> str:
    """The headline without a leading or trailing outlet name ("Headline | Outlet", "Outlet - Headline")."""
    parts = TITLE_SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    for drop_last in (True, False):
        part = parts[-1] if drop_last else parts[0]
        if _names_outlet(part, site_name, url):
            separators = list(TITLE_SEPARATOR.finditer(title))
            rest = title[:separators[-1].start()] if drop_last else title[separators[0].end():]
            if len(WORD.findall(rest)) >= 2:
                return rest.strip()
    return title
