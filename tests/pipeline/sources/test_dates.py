"""The one date normaliser (vistka/pipeline/sources/dates.py) and the stages downstream of it, under
property-based tests: arbitrary strings, years 0/1/9999/10000, naive and aware values — nothing raises,
and every date that comes out is aware, UTC and plausible."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vistka.pipeline.sources.dates import PLAUSIBLE_FROM, checked_date, clamp_to_plausible, normalise_date

KYIV = ZoneInfo("Europe/Kyiv")
offsets = st.builds(lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-23 * 60 - 59, 23 * 60 + 59))
any_datetime = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59),
                            timezones=st.none() | st.just(UTC) | offsets | st.just(KYIV))
impossible_texts = st.sampled_from([
    "0000-01-01T00:00:00Z", "0001-01-01", "0001-01-01T00:00:00+02:00", "9999-12-31T23:59:59-05:00",
    "10000-01-01T00:00:00Z", "99999-01-01", "-0001-01-01", "2025-02-30", "2025-13-01", "Mon, 27 Jan 0000 10:00:00 +0000",
    "Mon, 27 Jan 10000 10:00:00 +0000", "Wed, 21 Oct 2099 07:28:00 GMT", "", " ", "\x00", "NaN", "1e400",
    "2025-01-27T25:61:61", "2025-01-27T10:00:00+99:99", "2025-01-27T10:00:00+0200",
])
texts = st.text(max_size=120) | impossible_texts | any_datetime.map(str) | any_datetime.map(lambda d: d.isoformat())


def assert_plausible(value):
    assert value is None or (value.tzinfo is UTC and PLAUSIBLE_FROM <= value <= datetime.now(UTC) + timedelta(days=1)), value


@given(texts)
@settings(max_examples=400, deadline=None)
def test_any_text_is_a_plausible_utc_date_or_none(text):
    assert_plausible(normalise_date(text, "Europe/Kyiv"))


@given(any_datetime | st.dates(), st.sampled_from(["", "UTC", "Europe/Kyiv", "Pacific/Kiritimati", "Not/AZone"]))
@settings(max_examples=400, deadline=None)
def test_any_datetime_naive_or_aware_is_a_plausible_utc_date_or_none(value, zone):
    assert_plausible(normalise_date(value, zone))
    assert_plausible(clamp_to_plausible(value if isinstance(value, datetime) else None))


@given(st.integers(-(10**30), 10**30) | st.floats(allow_nan=True, allow_infinity=True) | st.booleans() | st.none()
       | st.lists(st.integers()) | st.builds(time.struct_time, st.tuples(*[st.integers(-5, 10001)] * 9)))
@settings(max_examples=200, deadline=None)
def test_numbers_structs_and_other_types_never_raise(value):
    assert_plausible(normalise_date(value))


@pytest.mark.parametrize("text", ["0000-01-01T00:00:00Z", "0001-01-01", "9999-12-31", "10000-01-01T00:00:00Z",
                                  "0001-01-01T00:00:00+02:00", "9999-12-31T23:00:00-05:00", "1989-12-31T23:59:59Z"])
def test_impossible_years_are_refused_with_a_reason(text):
    warnings = []
    assert normalise_date(text, warnings=warnings, what="published date") is None
    assert warnings and warnings[0].startswith("published date ignored: ")


def test_readings():
    assert checked_date("2025-01-27T10:00:00", "Europe/Kyiv") == datetime(2025, 1, 27, 8, tzinfo=UTC)
    assert checked_date("2025-01-27T10:00:00+0200") == datetime(2025, 1, 27, 8, tzinfo=UTC)
    assert checked_date("Mon, 27 Jan 2025 10:00:00 -0000", "Europe/Kyiv") == datetime(2025, 1, 27, 10, tzinfo=UTC)
    assert checked_date("Mon, 27 Jan 2025 10:00:00 +0100") == datetime(2025, 1, 27, 9, tzinfo=UTC)
    assert checked_date(date(2025, 1, 27), "UTC") == datetime(2025, 1, 27, tzinfo=UTC)
    assert checked_date(time.gmtime(1737972000)) == datetime(2025, 1, 27, 10, tzinfo=UTC)
    local = checked_date("2025-01-27T01:30:00+02:00", keep_offset=True)
    assert local.date() == date(2025, 1, 27) and local == datetime(2025, 1, 26, 23, 30, tzinfo=UTC)
    tomorrow = datetime.now(UTC) + timedelta(hours=20)
    assert checked_date(tomorrow) == tomorrow  # a clock a little ahead is fine; a year ahead is not
    assert normalise_date(datetime.now(UTC) + timedelta(days=2)) is None


# --- Stages downstream: feeds, sitemaps, page extraction, then grouping and every page that shows a date.

RSS = ('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>a</title>'
       '<link>https://o.example/a</link><pubDate>{}</pubDate></item></channel></rss>')
SITEMAP = ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://o.example/a</loc>'
           '<lastmod>{}</lastmod></url></urlset>')
JSON_FEED = '{{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [{{"id": "1", ' \
            '"url": "https://o.example/a", "date_published": {}}}]}}'


def xml_text(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape("".join(ch for ch in text if ch.isprintable() and ch not in "\ufffe\uffff"))


@given(texts)
@settings(max_examples=150, deadline=None)
def test_feed_sitemap_and_json_feed_dates_never_raise(text):
    import json

    from vistka.pipeline.sources.feedreader import FeedError, read_feed

    for document in (RSS.format(xml_text(text)), SITEMAP.format(xml_text(text)), JSON_FEED.format(json.dumps(text))):
        try:
            parsed = read_feed(document.encode(), "https://o.example/feed", tz="Europe/Kyiv")
        except FeedError:
            continue
        for entry in parsed.entries:
            assert_plausible(entry.published)


@given(texts, texts)
@settings(max_examples=60, deadline=None)
def test_page_dates_never_raise(json_ld_date, meta_date):
    import json

    from vistka.pipeline.extract import extract_article

    data = json.dumps({"@type": "NewsArticle", "headline": "H", "datePublished": json_ld_date,
                       "dateModified": meta_date})
    html = (f'<html><head><script type="application/ld+json">{data}</script>'
            f'<meta property="article:published_time" content="{xml_text(meta_date)}"></head><body><article>'
            + "<p>Президент України заявив, що уряд ухвалив рішення про підтримку громад.</p>" * 8
            + "</article></body></html>")
    result = extract_article(html, "https://o.example/a", timezone="Europe/Kyiv")
    for value in (result.published, result.updated):
        assert value is None or PLAUSIBLE_FROM <= value <= datetime.now(UTC) + timedelta(days=1)


@pytest.mark.django_db
@given(any_datetime | texts)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_grouping_feeds_sitemaps_and_pages_take_any_normalised_date(client, value):
    from django.utils import timezone as django_timezone

    from tests.factories import make_article, make_source
    from vistka.core.models import Article, Source
    from vistka.pipeline.stories import grouping

    source = Source.objects.first() or make_source()
    n = source.articles.count() + 1
    published = normalise_date(value, source.time_zone) or django_timezone.now()
    article = make_article(source, n, updated_at=normalise_date(value))
    Article.objects.filter(pk=article.pk).update(published_at=published)
    article.refresh_from_db()
    grouping.assign_story(article)
    grouping.update_related(article)
    article.refresh_from_db()
    paths = [article.get_absolute_url(), "/feed.rss", "/feed.atom", "/feed.json", "/sitemap.xml", "/news-sitemap.xml",
             f"/archive/{published.year}/{published.month}/{published.day}/", source.get_absolute_url()]
    if article.story_id:
        paths.append(article.story.get_absolute_url())
    for path in paths:
        assert client.get(path).status_code in (200, 301, 302), path
