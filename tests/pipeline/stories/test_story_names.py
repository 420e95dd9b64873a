"""Names as evidence across a longer horizon than the story window (docs/stories.md): a follow-up
weeks later that names the same people and places joins the story; look-alikes with other names,
an outlet's own staff and spokesmen shared by several stories, and copyright notices do not."""

from datetime import UTC, datetime, timedelta

import pytest

from vistka.pipeline.stories import index as stories
from vistka.pipeline.stories.index import StoryIndex, StoryParams, _disjoint_names, _outlet
from vistka.pipeline.stories.terms import Doc, evidence_of

T0 = datetime(2016, 3, 1, 12, 0, tzinfo=UTC)
# In an index of a few articles every name is rare; these tests hand-write the few articles and
# let the names count from the first one (the default waits for 1,000 articles).
SMALL = StoryParams(name_min_articles=0)

SHOOTING = ("Teen killed in shooting at Hermitage apartment complex",
            "A 15-year-old boy, Kevin Barbee, was shot and killed Tuesday evening at the Burning Tree "
            "Apartments on Lebanon Pike in Hermitage, police said. Officers found him in the living room.")
TRIAL = ("Trial opens for teen charged in classmate's death",
         "Prosecutors opened their case Monday against the teenager charged with criminal homicide in the "
         "death of Kevin Barbee. Barbee was shot inside the Burning Tree Apartments in January.")
LOOKALIKE = ("Teen killed in shooting at Antioch apartment complex",
             "A 16-year-old boy, Marcus Doyle, was shot and killed Tuesday evening at the Willow Creek "
             "Apartments on Murfreesboro Pike in Antioch, police said. Officers found him in the hallway.")


def doc(i, title, text, days=0.0, source="wkrn.com"):
    return Doc(id=str(i), title=title, text=text, published=T0 + timedelta(days=days), source=source)


def test_a_follow_up_forty_days_later_naming_the_victim_and_the_place_joins_the_story():
    index = StoryIndex(SMALL)
    index.assign(doc(1, *SHOOTING))
    decision = index.assign(doc(2, *TRIAL, days=40, source="tennessean.com"))
    assert decision.story == index.entries["1"].story, decision.reasons
    assert "kevin_barbee" in decision.reasons[0] and "burnin_tree" in decision.reasons[0]


def test_beyond_the_names_horizon_the_follow_up_opens_a_story():
    index = StoryIndex(StoryParams(name_min_articles=0, name_horizon=timedelta(days=30)))
    index.assign(doc(1, *SHOOTING))
    assert index.assign(doc(2, *TRIAL, days=40, source="tennessean.com")).story is None


def test_the_same_kind_of_event_in_another_town_with_other_names_stays_apart():
    index = StoryIndex(SMALL)
    index.assign(doc(1, *SHOOTING))
    decision = index.assign(doc(2, *LOOKALIKE, days=40, source="tennessean.com"))
    assert decision.story is None, decision.reasons


def test_an_outlets_own_articles_do_not_join_on_its_staffs_names():
    """Reporters and anchors of one outlet are named in all its articles, whatever they are about."""
    byline = " Reported by Cathy Locke and Bill Lindelof for the Evening Desk."
    index = StoryIndex(SMALL)
    index.assign(doc(1, SHOOTING[0], SHOOTING[1] + byline, source="https://www.sacbee.com/news"))
    other = index.assign(doc(2, LOOKALIKE[0], LOOKALIKE[1] + byline, days=40, source="sacbee.com:80"))
    assert other.story is None, other.reasons
    # Another outlet naming those two people would be evidence: the rule is about the outlet.
    elsewhere = index.assign(doc(3, LOOKALIKE[0], LOOKALIKE[1] + byline, days=41, source="kcra.com"))
    assert elsewhere.story is not None and elsewhere.story != index.entries["1"].story


def test_a_name_that_several_stories_use_is_no_evidence():
    """A police spokesman speaks for every shooting in town: with the victim's name alone (one
    telling name), the follow-up does not join."""
    spokesman = " said Officer Janel Sedevic, a police spokeswoman."
    index = StoryIndex(SMALL)
    index.assign(doc(1, "Teen killed in Hermitage", "Kevin Barbee was shot and killed Tuesday," + spokesman))
    index.assign(doc(2, "Woman wounded in Antioch", "Maria Lopez was shot and wounded Friday," + spokesman,
                     days=20, source="tennessean.com"))
    decision = index.assign(doc(3, "Charges in teen's death", "Charges were filed in the death of Kevin Barbee,"
                                + spokesman, days=60, source="wsmv.com"))
    assert decision.story is None, decision.reasons


def test_shared_rare_names_outweigh_another_event_day(monkeypatch):
    """An arrest three days after a shooting tells of its own day and of the suspect's age; the many
    names it shares with the first reports say it is the same event, not a look-alike."""
    monkeypatch.setattr(stories, "RARE_SHARE", 1.0)  # with one article before, each of its names is rare
    window_only = StoryParams(name_join=0)  # the window's score alone decides
    names = ("Kevin Barbee, Kaemon Robinson, Burning Tree Apartments, Lebanon Pike, McGavock High School, "
             "Summit Medical Center, Kyle Mothershead, Metro Nashville Police, Hermitage Precinct")
    first = doc(1, "Teen shot dead in Hermitage", f"On Tuesday a 15-year-old was shot. Named: {names}.")
    arrest = doc(2, "Arrest made", f"On Friday police arrested a 17-year-old. Named: {names}.", days=3,
                 source="tennessean.com")
    index = StoryIndex(window_only)
    index.assign(first)
    assert index.assign(arrest).story == index.entries["1"].story

    monkeypatch.setattr(stories, "RARE_WAIVES", 1_000)  # without the rule, the other day and age keep it apart
    index = StoryIndex(window_only)
    index.assign(first)
    assert index.assign(arrest).story is None


def test_a_copyright_notice_gives_no_names():
    text = ("Kevin Barbee was shot on Lebanon Pike.\nTM and © Copyright 2014 CBS Radio Inc. and its "
            "relevant subsidiaries. CBS RADIO and EYE Logo TM.\nMore later.")
    names = evidence_of(doc(1, "Teen shot", text)).names
    assert {"@kevin_barbee", "@lebano_pike"} <= names
    assert not {"@cbs_radio", "@radio_inc", "@eye_logo"} & names


@pytest.mark.parametrize(("names", "count"), [
    ({"@office_janel", "@janel_sedevi"}, 1),
    ({"@kevin_barbee", "@burnin_tree"}, 2),
    ({"@kevin_barbee", "@barbee_15", "@lebano_pike"}, 2),
])
def test_names_that_share_a_word_are_one_name(names, count):
    assert _disjoint_names(names) == count


def test_one_outlet_under_its_several_addresses():
    assert _outlet("https://www.wkrn.com:80/news") == _outlet("wkrn.com") == _outlet("WKRN.com:443") == "wkrn.com"
    assert _outlet("Ukrainska Pravda") == "ukrainska pravda"


def test_names_made_of_words_that_many_stories_use_are_no_evidence():
    """"Pasco County" and "Lakes Boulevard" name where many events happen: when the articles of more
    than WORD_STORIES stories use each of their words, sharing them tells no event."""
    first = doc(10, "Man shot in Pasco County", "A man was shot on Lakes Boulevard in Pasco County on Monday.")
    later = doc(11, "Shooting under review", "Deputies in Pasco County reviewed the Lakes Boulevard shooting.",
                days=200, source="tampabay.com")
    fillers = [doc(i, f"Other news {i}", f"Pasco deputies and county officials met by the lakes along the boulevard, "
                   f"item {word}.", days=20 * i, source=f"outlet{i}.com")
               for i, word in enumerate(("budget", "parade", "storm", "school"), start=1)]
    index = StoryIndex(SMALL)
    for item in (*fillers, first):
        index.assign(item)
    assert len({index.entries[str(i)].story for i in (1, 2, 3, 4, 10)}) == 5
    assert index.assign(later).story is None

    index = StoryIndex(SMALL)  # the same two articles alone: then those words are telling
    index.assign(first)
    assert index.assign(later).story == index.entries["10"].story
