import pytest

from tests.factories import make_article, make_source
from vistka.core.models import RelatedArticle
from vistka.pipeline import grouping
from vistka.pipeline.stories import JOIN_THRESHOLD, similarity, terms_of

MACRON_A = ("Zelensky and Macron discuss security guarantees in Auschwitz",
            "President Volodymyr Zelensky met French President Emmanuel Macron on the sidelines of the "
            "Auschwitz liberation anniversary and discussed security guarantees for Ukraine.")
MACRON_B = ("Macron and Zelensky talk security guarantees at Auschwitz ceremony",
            "Emmanuel Macron and Volodymyr Zelensky discussed security guarantees for Ukraine during "
            "the commemoration of the liberation of Auschwitz, the President's office said.")
SUMY = ("Death toll in Sumy strike rises to nine",
        "Rescuers in Sumy recovered more bodies from the residential building hit by a Russian drone; "
        "nine people were killed.")


def test_same_event_scores_above_threshold_and_different_event_below():
    a, b, c = (terms_of(*pair) for pair in (MACRON_A, MACRON_B, SUMY))
    assert similarity(a, b) >= JOIN_THRESHOLD > similarity(a, c)


def test_inflected_ukrainian_forms_meet():
    a = terms_of("Зеленський зустрівся з Макроном", "Президент Зеленський і президент Франції Макрон")
    b = terms_of("Макрон і Зеленського обговорили гарантії", "Зеленського прийняв Макрон")
    assert similarity(a, b) > 0.3


@pytest.mark.django_db
def test_articles_from_two_outlets_join_one_story_and_get_related_posts():
    one, two = make_source("One", "en", "https://one.test/"), make_source("Two", "en", "https://two.test/")
    first = make_article(one, 1, title=MACRON_A[0], body_html=f"<p>{MACRON_A[1]}</p>")
    second = make_article(two, 2, title=MACRON_B[0], body_html=f"<p>{MACRON_B[1]}</p>")
    other = make_article(two, 3, title=SUMY[0], body_html=f"<p>{SUMY[1]}</p>")
    for article in (first, second, other):
        grouping.assign_story(article)
        grouping.update_related(article)
    first.refresh_from_db(), second.refresh_from_db(), other.refresh_from_db()
    assert first.story_id == second.story_id != other.story_id
    assert RelatedArticle.objects.filter(article=first, related=other).exists()
    assert not RelatedArticle.objects.filter(article=first, related=second).exists()  # same story
