import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from tests.factories import make_article, make_source
from vistka.cli import main
from vistka.core.models import Article, RelatedArticle, Story
from vistka.pipeline.stories import grouping
from vistka.pipeline.stories.index import StoryIndex, StoryParams
from vistka.pipeline.stories.terms import Doc, entities_of

KYIV = timezone(timedelta(hours=2))
T0 = datetime(2025, 1, 27, 12, 0, tzinfo=KYIV)

MACRON_A = ("Zelensky and Macron discuss security guarantees in Auschwitz",
            "President Volodymyr Zelensky met French President Emmanuel Macron on the sidelines of the "
            "Auschwitz liberation anniversary and discussed security guarantees for Ukraine.")
MACRON_B = ("Macron and Zelensky talk security guarantees at Auschwitz ceremony",
            "Emmanuel Macron and Volodymyr Zelensky discussed security guarantees for Ukraine during "
            "the commemoration of the liberation of Auschwitz, the President's office said.")
SUMY = ("Death toll in Sumy strike rises to nine",
        "Rescuers in Sumy recovered more bodies from the residential building hit by a Russian drone; "
        "nine people were killed.")
RELEASE = ("The Board of the National Bank decided to raise the key policy rate by one percentage point to 14.5% "
           "per annum. The decision aims to keep inflation expectations under control and the foreign "
           "exchange market stable, and to ensure a gradual slowdown of inflation to the 5% target. In "
           "December consumer inflation accelerated to 12% year on year because of lower harvests, more "
           "expensive energy and higher labour costs.")


def doc(i, title, text, hours=0.0, source="one"):
    return Doc(id=str(i), title=title, text=text, published=T0 + timedelta(hours=hours), source=source)


def test_postings_stay_in_time_and_id_order_whatever_the_arrival_order():
    """A posting list is kept ordered by (publication time, id): appended at either end, or placed
    between, ties at the same time included."""
    import random

    hours = [0, 0, 1, 2, 2, 2, 3, 5, 5, 8]
    docs = [doc(i, MACRON_A[0], MACRON_A[1], hours=h) for i, h in enumerate(hours)]
    for seed in range(5):
        index = StoryIndex(StoryParams())
        for item in random.Random(seed).sample(docs, len(docs)):
            index.add(item, f"s{item.id}")
        for term, postings in index._postings.items():
            keys = [(index._slot_times[slot], index._slot_ids[slot]) for slot in postings]
            assert keys == sorted(keys), term
            assert len(keys) == 2 * len(docs) or len(keys) == len(docs), term  # title and body: each field once


def test_entities_are_names_and_numbers_not_sentence_openers():
    found = entities_of("The talks in Paris went well. Macron met Zelensky on 27 January, 2025. "
                        "Zelensky thanked Macron. Talks go on.")
    assert {"paris", "macron", "zelens", "27", "2025"} <= set(found)
    assert found["macron"] == 2 and not {"the", "januar", "talks"} & set(found)


def test_same_event_joins_and_another_event_opens_a_story():
    index = StoryIndex()
    first, second, third = (index.assign(doc(i, *pair, hours=i)) for i, pair in enumerate((MACRON_A, MACRON_B, SUMY)))
    assert first.story is None and second.story == index.entries["0"].story
    assert third.story is None and index.entries["2"].story != index.entries["0"].story
    assert second.reasons[0].startswith("joined story")


def test_same_people_a_week_later_on_another_day_is_a_new_story():
    index = StoryIndex()
    index.assign(doc(1, MACRON_A[0], MACRON_A[1] + " The meeting took place on 27 January."))
    later = index.assign(doc(2, "Macron and Zelensky talk security guarantees again",
                             "Emmanuel Macron and Volodymyr Zelensky discussed security guarantees for Ukraine "
                             "by phone on 3 February, the President's office said.", hours=24 * 7))
    assert later.story is None, later.reasons


def test_same_people_three_weeks_later_is_a_new_story():
    index = StoryIndex()
    index.assign(doc(1, *MACRON_A))
    later = index.assign(doc(2, *MACRON_B, hours=24 * 21))
    assert later.story is None


def test_light_rewrite_is_a_near_duplicate_and_joins_its_original():
    index = StoryIndex()
    index.assign(doc("a", "NBU raises key rate to 14.5%", RELEASE))
    rewrite = RELEASE.replace("decided to", "has decided to").replace("because of", "due to")
    decision = index.assign(doc("b", "National Bank raises its key policy rate", rewrite, hours=0.5, source="two"))
    assert decision.duplicate_of == "a" and decision.duplicate_jaccard > 0.5
    assert index.entries["b"].story == index.entries["a"].story


def test_related_posts_exclude_own_story_and_favour_recent_ones():
    index = StoryIndex(StoryParams(join_threshold=0.9))  # keep everything in separate stories
    index.assign(doc(1, "Drones hit oil refinery in Ryazan", "Drones struck the Ryazan oil refinery overnight."))
    index.assign(doc(2, "Drones hit oil refinery in Kstovo", "Drones struck the Kstovo oil refinery overnight.",
                     hours=24 * 10))
    index.assign(doc(3, "Drone attack on oil refinery in Volgograd",
                     "Drones struck the Volgograd oil refinery overnight.", hours=24 * 11))
    related = [other for other, _ in index.related("3")]
    assert related == ["2", "1"]  # the one from yesterday before the one from ten days earlier
    index.add(doc(4, "Kstovo refinery fire put out", "The Kstovo oil refinery fire was put out.", hours=24 * 11),
              index.entries["3"].story)
    assert "4" not in [other for other, _ in index.related("3")]


def test_cli_clusters_jsonl_and_explains(tmp_path):
    lines = [{"id": i, "title": t, "text": x, "published": (T0 + timedelta(hours=i)).isoformat(), "source": "s"}
             for i, (t, x) in enumerate((MACRON_A, MACRON_B, SUMY))]
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines))
    result = CliRunner().invoke(main, ["stories", "cluster", str(path), "--explain"])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o["id"] for o in out] == ["0", "1", "2"]
    assert out[0]["story"] == out[1]["story"] != out[2]["story"]
    assert "title" in " ".join(out[1]["explain"])


def _cluster(tmp_path, *lines, args=()):
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    return CliRunner().invoke(main, ["stories", "cluster", str(path), *args])


def test_cli_skips_a_bad_line_with_its_number_and_strict_stops_there(tmp_path):
    good = {"id": 1, "title": "t", "text": "x", "published": "2025-01-01T00:00:00+00:00"}
    lines = (good, {"id": 2, "title": "t"}, "{not json", {"id": 3, "title": "u", "text": "y", "published": "soon"})
    result = _cluster(tmp_path, *lines)
    assert result.exit_code == 0, result.output
    assert "line 2 skipped: missing published" in result.stderr and "line 3 skipped" in result.stderr
    assert "line 4 skipped" in result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["1"]
    strict = _cluster(tmp_path, *lines, args=("--strict",))
    assert strict.exit_code != 0 and "line 2: missing published" in strict.output


def test_cli_reads_bare_dates_and_naive_times_as_utc(tmp_path):
    result = _cluster(tmp_path, {"id": "a", "title": "Flood in Lviv", "text": "x", "published": "2010-07-02"},
                      {"id": "b", "title": "Fire in Kharkiv", "text": "y", "published": "2017-09-15T00:00:00"},
                      {"id": "c", "title": "Storm in Odesa", "text": "z", "published": "2017-09-14T23:00:00-02:00"})
    assert result.exit_code == 0 and not result.stderr
    # c is 01:00 UTC on the 15th: after b (midnight UTC), so naive b was read as UTC, not local time
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["a", "b", "c"]


def test_cli_fills_a_missing_title_from_the_lead_or_first_sentence(tmp_path):
    result = _cluster(tmp_path, {"id": "a", "text": "Rescuers in Sumy found more bodies. Nine died.",
                                 "published": "2025-02-01T10:00:00Z"},
                      {"id": "b", "title": "", "lead": "Drone hits Poltava", "text": "Two died.",
                       "published": "2025-02-01T11:00:00Z"},
                      args=("--explain",))
    assert result.exit_code == 0, result.output
    assert "line 1: no title; using the first sentence" in result.stderr
    assert "line 2: no title; using the lead" in result.stderr
    assert len(result.stdout.splitlines()) == 2


def test_cli_duplicate_ids_are_an_error_naming_both_lines(tmp_path):
    item = {"id": "x", "title": "t", "text": "x", "published": "2025-01-01"}
    result = _cluster(tmp_path, item, {"id": "y", "title": "t", "text": "x", "published": "2025-01-01"}, item)
    assert result.exit_code != 0 and "line 3: duplicate id 'x' (first on line 1)" in result.output


def _ingest(*articles):
    for article in articles:
        grouping.assign_story(article)
        grouping.update_related(article)
        article.refresh_from_db()


@pytest.fixture
def outlets(db):
    return make_source("One", "en", "https://one.test/"), make_source("Two", "en", "https://two.test/")


def _article(source, n, pair, **fields):
    return make_article(source, n, title=pair[0], body_html=f"<p>{pair[1]}</p>", **fields)


def test_articles_from_two_outlets_join_one_story_and_get_related_posts(outlets):
    one, two = outlets
    first, second, other = _article(one, 1, MACRON_A), _article(two, 2, MACRON_B), _article(two, 3, SUMY)
    _ingest(first, second, other)
    assert first.story_id == second.story_id != other.story_id
    assert not RelatedArticle.objects.filter(article=first, related=second).exists()  # same story


def test_related_posts_are_related_readable_and_never_filler(outlets):
    """No score-0 links to fill the list up, and none in a language the site does not show."""
    one, two = outlets
    german = make_source("Drei", "de", "https://drei.test/")
    sumy = _article(one, 1, SUMY)
    untranslated = make_article(german, 3, translated=False, title="Sumy strike residential building drone",
                                body_html="<p>Rescuers in Sumy recovered bodies from the residential building hit "
                                          "by a Russian drone; nine people were killed.</p>")
    unrelated = _article(two, 4, MACRON_A)
    _ingest(sumy, unrelated, untranslated)
    links = RelatedArticle.objects.filter(article=sumy)
    assert not links.filter(related=unrelated).exists() and not links.filter(score__lte=0).exists()
    assert not links.filter(related=untranslated).exists()
    assert not RelatedArticle.objects.filter(score__lte=0).exists()


def test_ingest_marks_near_duplicates(outlets):
    one, two = outlets
    original = _article(one, 1, ("NBU raises key rate to 14.5%", RELEASE))
    copy = _article(two, 2, ("National Bank raises key rate", RELEASE.replace("decided to", "has decided to")))
    _ingest(original, copy)
    assert copy.duplicate_of_id == original.pk and copy.story_id == original.story_id


def test_editor_split_is_respected_afterwards(outlets):
    one, two = outlets
    first, second = _article(one, 1, MACRON_A), _article(two, 2, MACRON_B)
    _ingest(first, second)
    assert first.story_id == second.story_id
    split = grouping.split_articles([second], title="Separate meeting")
    second.refresh_from_db()
    assert second.story_id == split.pk and second.story_locked
    grouping.assign_story(second)  # reprocessing (e.g. a retry) must not undo the editor
    second.refresh_from_db()
    assert second.story_id == split.pk


def test_editor_merge_moves_and_locks_everything(outlets):
    one, two = outlets
    first, other = _article(one, 1, MACRON_A), _article(two, 3, SUMY)
    _ingest(first, other)
    assert first.story_id != other.story_id
    target = grouping.merge_stories(list(Story.objects.all()))
    assert set(Article.objects.values_list("story_id", flat=True)) == {target.pk}
    assert Story.objects.count() == 1 and all(Article.objects.values_list("story_locked", flat=True))
    assert not RelatedArticle.objects.filter(article=first, related=other).exists()
    late = _article(two, 4, SUMY)
    _ingest(late)
    assert late.story_id == target.pk  # a new Sumy report follows the editors' merged story


def test_admin_merge_and_split_actions(admin_client, outlets):
    one, two = outlets
    first, other = _article(one, 1, MACRON_A), _article(two, 3, SUMY)
    _ingest(first, other)
    ids = [str(pk) for pk in Story.objects.values_list("pk", flat=True)]
    response = admin_client.post("/admin/core/story/", {"action": "merge", "_selected_action": ids})
    assert response.status_code == 302 and Story.objects.count() == 1
    response = admin_client.post("/admin/core/article/", {"action": "split_into_new_story",
                                                          "_selected_action": [str(other.pk)]})
    assert response.status_code == 302 and Story.objects.count() == 2
    first.refresh_from_db(), other.refresh_from_db()
    assert first.story_id != other.story_id and other.story_locked
    assert admin_client.get(f"/admin/core/story/{other.story_id}/change/").status_code == 200


def test_story_and_article_pages_show_the_subsystem_results(client, outlets):
    one, two = outlets
    original = _article(one, 1, ("NBU raises key rate to 14.5%", RELEASE))
    copy = _article(two, 2, ("National Bank raises key rate", RELEASE.replace("decided to", "has decided to")))
    other = _article(two, 3, ("Inflation in Ukraine accelerates to 12%",
                              "Consumer inflation accelerated to 12% year on year in December, the National "
                              "Bank said, citing lower harvests and expensive energy."))
    Article.objects.filter(pk=other.pk).update(published_at=T0 + timedelta(days=9))
    other.refresh_from_db()
    _ingest(original, copy, other)
    assert other.story_id != original.story_id
    page = client.get(f"/story/{original.story_id}/", follow=True).content.decode()
    lead = page[page.index('aria-label="Lead report"'):page.index('aria-label="Timeline"')]
    assert "NBU raises key rate" in lead and "One" in lead
    assert "27 January 2025" in page and "National Bank raises key rate</a> <span class=\"copy\">" in page
    article = client.get(copy.get_absolute_url()).content.decode()
    reported = article[article.index("Also reported by"):]
    assert "One</a>: NBU raises key rate" in reported
    related = article[article.index("Related posts"):]
    assert "Inflation in Ukraine accelerates" in related and "Two" in related


def test_read_also_points_inside_once_the_target_is_ingested_later(client, outlets):
    one, two = outlets
    article = _article(one, 1, MACRON_A, read_also=[{"url": "https://two.test/a/2.html", "title": "Their copy"}])
    _ingest(article)
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'href="https://two.test/a/2.html" rel="noopener nofollow">Their copy' in page
    target = _article(two, 2, MACRON_B)  # ingested afterwards, at the URL the block named
    _ingest(target)
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'href="{target.get_absolute_url()}">{MACRON_B[0]}</a>' in page


def test_ingest_clusters_the_site_language_translation(db):
    from vistka.core.models import Translation

    ukrainian = make_source("Укр", "uk", "https://uk.test/")
    english = make_source("Eng", "en", "https://en.test/")
    original = make_article(ukrainian, 1, title="Зеленський і Макрон", body_html="<p>Текст українською.</p>",
                            translated=False)
    Translation.objects.create(article=original, language="en", title=MACRON_A[0], lead="",
                               body_html=f"<p>{MACRON_A[1]}</p>", engine="test")
    report = _article(english, 2, MACRON_B)
    _ingest(original, report)
    assert grouping.article_doc(original).title == MACRON_A[0]
    assert original.story_id == report.story_id


def test_event_days_and_ages_are_read_in_english_and_ukrainian():
    from datetime import date

    from vistka.pipeline.stories.terms import evidence_of

    published = datetime(2016, 11, 22, 9, 0, tzinfo=UTC)  # a Tuesday
    found = evidence_of(Doc("1", "Little Rock shooting victim dies",
                            "A man injured in a November 2 shooting has died. Fred Duhart, 38, died on Sunday. "
                            "A 17-year-old was hurt.", published))
    assert {date.fromordinal(day) for day in found.days} == {date(2016, 11, 2), date(2016, 11, 20)}
    assert found.ages == {38, 17}
    ukrainian = evidence_of(Doc("2", "Удар по Полтаві", "У ніч на 1 лютого ракета влучила в будинок; "
                                "загинула 12-річна дівчина, 3 травмованих.", datetime(2025, 2, 1, 12, tzinfo=KYIV)))
    assert {date.fromordinal(day) for day in ukrainian.days} == {date(2025, 2, 1)} and ukrainian.ages == {12}


LOOKALIKE_TEXT = ("A Russian drone hit a five-storey residential building in {town} overnight on {day}. "
                  "Rescuers pulled {n} bodies from the rubble; {m} people were injured, the regional "
                  "military administration said. Residents of nearby houses were evacuated.")


def test_the_same_kind_of_event_in_another_town_on_another_day_is_another_story():
    index = StoryIndex()
    first = Doc("a", "Russian drone hits apartment building in Sumy, nine killed",
                LOOKALIKE_TEXT.format(town="Sumy", day="Friday, 31 January", n=9, m=13), T0 + timedelta(days=4))
    second = Doc("b", "Russian missile hits apartment building in Poltava, 14 killed",
                 "Overnight on Saturday, 1 February a Russian missile struck a residential building in Poltava. "
                 "The regional military administration said 14 people were killed and 16 injured; rescuers "
                 "are still searching the rubble and residents of nearby houses were evacuated.",
                 T0 + timedelta(days=5))
    same = Doc("c", "Sumy drone strike: nine killed in apartment building",
               LOOKALIKE_TEXT.format(town="Sumy", day="Friday, 31 January", n=9, m=13).replace("Rescuers", "Emergency crews"),
               T0 + timedelta(days=4, hours=3))
    index.assign(first)
    decision = index.assign(second)
    assert decision.story is None, decision.reasons
    assert index.assign(same).story == index.entries["a"].story


def test_text_without_spaces_is_compared_by_character_pairs():
    index = StoryIndex()
    index.assign(Doc("j1", "能登半島で震度7の地震、家屋倒壊相次ぐ", "石川県能登地方で震度7の地震があり、輪島市などで家屋の倒壊が相次いだ。"
                     "気象庁は津波警報を発表した。", T0, lang="ja"))
    joined = index.assign(Doc("j2", "石川・能登で震度7 輪島市で家屋倒壊", "能登地方を震源とする地震で石川県輪島市では家屋の倒壊が相次ぎ、"
                              "気象庁は津波警報を出した。", T0 + timedelta(hours=2), lang="ja"))
    assert joined.story == index.entries["j1"].story, joined.reasons
    other = index.assign(Doc("j3", "東京で新しい美術館が開館", "東京都内に現代美術の新しい美術館が開館し、初日から多くの来場者が訪れた。",
                             T0 + timedelta(hours=3), lang="ja"))
    assert other.story is None


def test_a_storys_norms_do_not_depend_on_the_order_of_its_terms():
    """Term ids order a story's terms, and they differ between workers (each numbers terms as it meets
    them): the squared norms are summed exactly, so every order gives the same bits, and the sum is
    the exactly rounded one to within the fixed point's step."""
    import math
    import random

    import numpy as np

    from vistka.pipeline.stories.index import _norms_by_part

    values = np.array([random.Random(seed).uniform(-1, 1) * 10 ** random.Random(seed + 1).randint(-6, 0)
                       for seed in range(400)])
    parts = np.repeat([0, 2, 3], [150, 200, 50])  # part 1 holds no term: a norm of 0
    found = _norms_by_part(values, parts, 5)
    for seed in range(5):
        shuffled = np.arange(len(values))
        for start, stop in ((0, 150), (150, 350), (350, 400)):
            shuffled[start:stop] = random.Random(seed).sample(range(start, stop), stop - start)
        assert found.tobytes() == _norms_by_part(values[shuffled], parts, 5).tobytes()
    for part in range(5):
        exact = math.sqrt(math.fsum(float(v) ** 2 for v in values[parts == part]))
        assert found[part] == pytest.approx(exact, rel=1e-13, abs=1e-15)
    assert found[1] == 0.0 and found[4] == 0.0


def test_related_posts_score_each_article_as_a_story_of_one_would():
    """Related posts compare with single articles without grouping their terms: the same cosines as
    a story of each article alone."""
    import numpy as np

    index = StoryIndex(StoryParams(join_threshold=0.9))
    texts = [MACRON_A, MACRON_B, SUMY, ("NBU raises key rate to 14.5%", RELEASE)]
    for i, pair in enumerate(texts):
        index.assign(doc(i, *pair, hours=i))
    query = index.entries["0"]
    others = [index.entries[str(i)] for i in range(1, len(texts))]
    units = index._unit_arrays(query)
    singles = index._single_products(units, others)
    grouped, norms = index._group_products(units, [[other] for other in others])
    assert singles.shape == (3, len(others)) and np.allclose(singles, grouped, rtol=1e-12, atol=1e-15)
    assert np.allclose(norms[:, norms.any(axis=0)], 1.0)  # each article's own unit vectors
    assert singles[:, 0].sum() > 0.3 > singles[:, 1:].sum(axis=0).max()  # the other Macron report is nearest
    assert index._single_products(units, []).shape == (3, 0)
