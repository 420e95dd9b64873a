"""Story terms made in an extraction process are taken by the decision of the very text they were
made from, once, and are the terms the decision would have made itself."""

from __future__ import annotations

from datetime import UTC, datetime

from vistka.pipeline.stories import grouping, index
from vistka.pipeline.stories.index import StoryIndex
from vistka.pipeline.stories.terms import Doc

TEXT = ("Divers raised the bell of the sunken ferry near Vylkove on Sunday, the regional administration said. "
        "The ferry sank in a storm in 1962; the bell will go to the town museum after restoration, "
        "museum director Olena Marchuk told reporters at the harbour.")


def _doc(text: str = TEXT) -> Doc:
    return Doc(id="7", title="Ferry bell raised near Vylkove", text=text, lead="A museum will show it.",
               published=datetime(2026, 12, 6, 9, 0, tzinfo=UTC), source="Port News", lang="en")


def _offer(doc: Doc) -> None:
    grouping.offer_text_terms(doc.title, doc.lead, doc.text, doc.lang,
                              grouping.text_terms_of(doc.title, doc.lead, doc.text, doc.lang))


def test_offered_terms_are_taken_once_and_only_for_their_own_text(monkeypatch):
    monkeypatch.setattr(grouping, "_OFFERED", type(grouping._OFFERED)())
    made = []
    features_of = index.features_of
    # (The offered terms are made with an id-less document, as an extraction process makes them.)
    monkeypatch.setattr(index, "features_of", lambda doc: (doc.id and made.append(doc.id)) or features_of(doc))
    doc = _doc()
    _offer(_doc(TEXT + " A caption that the stored body lost."))
    fresh = grouping.prepared(StoryIndex(), doc, remember=False)
    assert made == ["7"]  # another text's terms: made here
    _offer(doc)
    taken = grouping.prepared(StoryIndex(), doc, remember=False)
    assert made == ["7"]
    assert (taken.weights, taken.signature, taken.evidence) == (fresh.weights, fresh.signature, fresh.evidence)
    assert taken.signature is not None
    grouping.prepared(StoryIndex(), doc, remember=False)
    assert made == ["7", "7"]  # taken once


def test_offered_terms_stay_within_their_limit(monkeypatch):
    monkeypatch.setattr(grouping, "_OFFERED", type(grouping._OFFERED)())
    monkeypatch.setattr(grouping, "OFFERED_LIMIT", 2)
    for number in range(5):
        grouping.offer_text_terms(f"Title {number}", "", "text", "en", ((), None))
    assert [key[0] for key in grouping._OFFERED] == ["Title 3", "Title 4"]


def test_offered_terms_are_interned_as_the_index_terms_are(monkeypatch):
    """Unpickled from another process, a term is a string of its own: taken, it is the one string
    every other article with that term shares."""
    import pickle
    import sys

    monkeypatch.setattr(grouping, "_OFFERED", type(grouping._OFFERED)())
    doc = _doc()
    terms = pickle.loads(pickle.dumps(grouping.text_terms_of(doc.title, doc.lead, doc.text, doc.lang)))
    grouping.offer_text_terms(doc.title, doc.lead, doc.text, doc.lang, terms)
    taken = grouping.prepared(StoryIndex(), doc, remember=False)
    for field in taken.weights:
        assert field and all(term is sys.intern(term) for term in field)


def test_a_text_too_short_for_a_signature_has_its_terms_made_once(monkeypatch):
    """A brief has no signature (too few shingles to tell a copy): its offered or remembered terms
    are taken all the same, not made again because the signature they came with is None."""
    monkeypatch.setattr(grouping, "_OFFERED", type(grouping._OFFERED)())
    monkeypatch.setattr(grouping, "_PREPARED", type(grouping._PREPARED)())
    made = []
    features_of = index.features_of
    monkeypatch.setattr(index, "features_of", lambda doc: (doc.id and made.append(doc.id)) or features_of(doc))
    brief = _doc("Bell raised.")
    fresh = StoryIndex().prepare(brief)
    assert fresh.signature is None and made == ["7"]
    _offer(brief)
    taken = grouping.prepared(StoryIndex(), brief)  # offered by an extraction process, then remembered
    again = grouping.prepared(StoryIndex(), brief)
    assert made == ["7"]
    for entry in (taken, again):
        assert (entry.weights, entry.signature, entry.evidence) == (fresh.weights, None, fresh.evidence)
