"""A source's own extraction rule, as the operator stores it, in the pipeline."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from vistka.core.models import Article, ArticleStatus, Source
from vistka.pipeline.fetch import FetchPolicy
from vistka.pipeline.run import poll_source
from vistka.samples import load_gold


def test_admin_refuses_an_invalid_rule():
    source = Source(name="X", feed_url="https://x.test/rss", language="uk", extraction_rules={"bodyy": "div"})
    with pytest.raises(ValidationError, match="unknown field"):
        source.clean()
    Source(name="X", feed_url="https://x.test/rss", language="uk", extraction_rules={"body": "div.text"}).clean()


@pytest.mark.django_db
def test_source_rule_override_is_used_when_ingesting(sample_server):
    source = Source.objects.create(
        name="Ledger with override", feed_url=sample_server.url("/ledger/rss.xml"), language="en",
        extraction_rules={"title": ".story-header .standfirst"})
    poll_source(source, FetchPolicy(allow_hosts=["127.0.0.1"]))
    gold = {g["url"]: g for g in load_gold(sample_server.base_url) if g["outlet"] == "ledger"}
    articles = Article.objects.filter(source=source)
    assert articles.count() == len(gold)
    for article in articles:
        assert article.title == gold[article.url]["lead"], article.url


@pytest.mark.django_db
def test_broken_source_rule_fails_articles_with_a_clear_error(sample_server):
    source = Source.objects.create(name="Broken rule", feed_url=sample_server.url("/slobid/rss.xml"),
                                   language="uk", extraction_rules={"body": "div[["})
    report = poll_source(source, FetchPolicy(allow_hosts=["127.0.0.1"]))
    assert report.failed == report.new == 10
    article = Article.objects.filter(source=source).first()
    assert article.status == ArticleStatus.FAILED and "extraction rule is invalid" in article.error
