"""Topics: feed categories, the publisher's keywords and schema.org about/mentions entities."""

import lxml.html
import pytest

from tests.factories import make_article, make_source
from vistka.core.models import Topic, TopicKind
from vistka.pipeline.extract.structured import read_metadata
from vistka.pipeline.publish.tagging import attach_topics

PAGE = """<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": "H",
 "keywords": %s, "about": [{"@type": "Person", "name": "Volodymyr Zelensky"}],
 "mentions": {"@type": "Place", "name": "Kharkiv"}}</script>
<meta name="news_keywords" content="ignored, when, json-ld, has, keywords"></head><body></body></html>"""


@pytest.mark.parametrize("keywords", ['["Energy", " Oil  prices "]', '"Energy, Oil prices"'])
def test_keywords_and_entities_from_structured_data(keywords):
    meta = read_metadata(lxml.html.document_fromstring(PAGE % keywords))
    assert meta.keywords == ["Energy", "Oil prices"]
    assert meta.entities == ["Volodymyr Zelensky", "Kharkiv"]


def test_meta_keywords_when_there_is_no_json_ld():
    tree = lxml.html.document_fromstring('<html><head><meta name="news_keywords" content="Sumy, Drones">'
                                         "</head><body></body></html>")
    assert read_metadata(tree).keywords == ["Sumy", "Drones"]


@pytest.mark.django_db
def test_topics_are_shared_and_typed():
    source = make_source("Ledger", "en", "https://ledger.test/")
    first, second = make_article(source, 1), make_article(source, 2)
    attach_topics(first, ["Oil prices", "", "  "])
    attach_topics(second, ["oil   PRICES"])
    attach_topics(second, ["Kharkiv"], kind=TopicKind.ENTITY)
    assert Topic.objects.get(slug="oil-prices").articles.count() == 2
    assert Topic.objects.get(slug="kharkiv").kind == TopicKind.ENTITY
    assert Topic.objects.count() == 2


@pytest.mark.django_db
def test_topics_are_attached_in_a_few_queries(django_assert_max_num_queries):
    source = make_source("Ledger", "en", "https://ledger.test/")
    article = make_article(source, 1)
    attach_topics(article, ["Energy"])
    names = ["Energy", "energy", *[f"Keyword {n}" for n in range(10)]]
    with django_assert_max_num_queries(8):
        topics = attach_topics(article, names)
    assert [topic.slug for topic in topics] == ["energy", *[f"keyword-{n}" for n in range(10)]]
    assert article.topics.count() == 11 and Topic.objects.get(slug="energy").name == "Energy"
