"""Papercuts a new user and editor meet in their first hour (issue 17, item 4), one test each."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC
from pathlib import Path

import pytest
from click.testing import CliRunner

from vistka.cli import main

VISTKA = [sys.executable, "-m", "vistka.cli"]


def fresh_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VISTKA_", "DJANGO_"))}
    env.update(VISTKA_DATA_DIR=str(data_dir), VISTKA_TRANSLATION_ENGINE="none", **extra)
    return env


# --- commands that need the database, on a fresh data directory ---------------------------------------

def test_createsuperuser_on_a_fresh_data_dir_migrates_first(tmp_path):
    env = fresh_env(tmp_path, DJANGO_SUPERUSER_PASSWORD="a-long-pass-phrase-9")
    done = subprocess.run([*VISTKA, "manage", "createsuperuser", "--noinput", "--username", "boss",
                           "--email", "boss@example.org"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "no such table" not in done.stderr
    import sqlite3

    with sqlite3.connect(tmp_path / "vistka.sqlite3") as db:
        assert db.execute("SELECT username, is_superuser FROM auth_user").fetchall() == [("boss", 1)]


def test_a_worker_on_an_unmigrated_database_says_what_to_run(tmp_path):
    done = subprocess.run([*VISTKA, "worker"], env=fresh_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "run `vistka manage migrate` first" in done.stderr and "Traceback" not in done.stderr


def test_manage_migrate_commands_run_as_asked():
    from vistka.cli.base import needs_migrate_first

    assert needs_migrate_first(["createsuperuser"]) and needs_migrate_first(["shell", "-c", "print(1)"])
    assert not needs_migrate_first(["migrate", "core", "0001"]) and not needs_migrate_first(["showmigrations"])
    assert not needs_migrate_first([])


# --- one declaration of each list of choices -----------------------------------------------------------

@pytest.mark.django_db
def test_the_licence_default_is_the_same_everywhere(tmp_path, monkeypatch):
    from vistka.api.schemas import SourceIn
    from vistka.config.choices import DEFAULT_LICENCE_MODE, LICENCE_MODES
    from vistka.core.models import LicenceMode, Source
    from vistka.desk.sourcelist import import_outlines
    from vistka.pipeline.sources.opml import Outline

    assert dict(LicenceMode.choices) == LICENCE_MODES
    assert Source._meta.get_field("licence_mode").default == DEFAULT_LICENCE_MODE
    assert SourceIn.model_fields["licence_mode"].default == DEFAULT_LICENCE_MODE
    assert set(SourceIn.model_json_schema()["properties"]["licence_mode"]["enum"]) == set(LICENCE_MODES)
    monkeypatch.setattr("vistka.cli.sources.setup_django", lambda migrate=True: None)
    added = CliRunner().invoke(main, ["sources", "add", "Cli Outlet", "http://127.0.0.1:9/rss.xml",
                                      "--language", "uk", "--no-discover"], catch_exceptions=False)
    assert added.exit_code == 0, added.output
    import_outlines([Outline("Opml Outlet", "http://127.0.0.1:9/feed.xml", "", "uk", "")], "uk")
    assert {s.name: s.licence_mode for s in Source.objects.all()} == {
        "Cli Outlet": DEFAULT_LICENCE_MODE, "Opml Outlet": DEFAULT_LICENCE_MODE}
    assert Source(name="x").licence_mode == DEFAULT_LICENCE_MODE  # the admin's add form starts from the model


def test_engines_and_qa_flags_are_declared_once():
    from vistka.config import choices, options
    from vistka.core import models  # noqa: F401  (imported after Django is set up by pytest-django)
    from vistka.pipeline import translate
    from vistka.pipeline.translate import quality

    assert options.ENGINES is choices.ENGINES and translate.ENGINE_NAMES is choices.ENGINES
    assert options.QA_FLAGS is choices.QA_FLAGS and quality.FLAG_KINDS is choices.QA_FLAGS
    field = models.Source._meta.get_field("translation_engine")
    assert [value for value, _label in field.choices] == list(choices.ENGINES)


# --- slugs -------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_cyrillic_titles_get_transliterated_slugs(client):
    from tests.factories import make_article, make_source
    from vistka.core.models import Article, Story

    source = make_source(name="Радіо Тест")
    article = make_article(source, 1, translated=False, title="Київ: Зеленський зустрівся з Сирським")
    assert article.get_absolute_url() == f"/article/{article.pk}/kyiv-zelenskyi-zustrivsia-z-syrskym/"
    assert client.get(article.get_absolute_url()).status_code == 200
    assert source.get_absolute_url() == f"/source/{source.pk}/radio-test/"
    assert Story(pk=3, title="Обстріл Харкова").get_absolute_url() == "/story/3/obstril-kharkova/"
    russian = make_article(make_source(name="Ru", language="ru", homepage="https://ru.example/"), 2,
                           translated=False, title="Москва объявила")
    assert russian.slug == "moskva-obyavila"
    Article.objects.filter(pk=article.pk).update(slug="article")  # stored by an older version
    assert Article.objects.get(pk=article.pk).display_slug == "kyiv-zelenskyi-zustrivsia-z-syrskym"
    assert make_article(source, 3, translated=False, title="«»!").slug == "article"


# --- feed entry ids ----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_feed_entry_ids_are_stable_permalinks(client):
    import xml.etree.ElementTree as ET

    from tests.factories import make_article, make_source

    article = make_article(make_source(), 7)
    permalink = f"http://testserver/article/{article.pk}/"
    rss = ET.fromstring(client.get("/feed.rss").content)
    guid = rss.find("channel/item/guid")
    assert guid.text == permalink and guid.get("isPermaLink", "true") == "true"
    atom = ET.fromstring(client.get("/feed.atom").content)
    assert atom.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}id").text == permalink
    assert client.get("/feed.json").json()["items"][0]["id"] == permalink
    assert client.get(permalink).status_code == 301  # the permalink opens the article


# --- one date format, the time zone labelled ----------------------------------------------------------

@pytest.fixture
def story_of_two_days(db):
    from datetime import datetime, timedelta

    from tests.factories import make_article, make_source
    from vistka.core.models import Story

    story = Story.objects.create(title="The story's own heading")
    radio, ledger = make_source(), make_source(name="Ledger", language="en", homepage="https://ledger.example/")
    start = datetime(2025, 1, 27, 8, 0, tzinfo=UTC)  # 10:00 in Kyiv
    articles = [make_article(source, n, story=story) for n, source in enumerate([radio, ledger, radio, ledger], start=1)]
    for n, article in enumerate(articles, start=1):
        article.published_at = start + timedelta(hours=12 * n)
        article.save()
    return story, articles


DATE_TIME = r"\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}, \d\d:\d\d EES?T"


def test_every_page_shows_dates_in_one_format_with_the_zone(client, story_of_two_days):
    import re

    story, articles = story_of_two_days
    pages = {"home": "/", "article": articles[0].get_absolute_url(), "story": story.get_absolute_url(),
             "source": articles[0].source.get_absolute_url()}
    for name, url in pages.items():
        html = client.get(url).content.decode()
        shown = re.findall(r"<time datetime=\"[^\"]+\">([^<]+)</time>", html)
        assert shown, name
        for text in shown:
            assert re.fullmatch(DATE_TIME, text) or re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", text) \
                or re.fullmatch(r"\d\d:\d\d EES?T", text), (name, text)
        assert "Times are in the site's time zone, Europe/Kyiv (EE" in html, name
    article = client.get(pages["article"]).content.decode()
    assert '<time datetime="2025-01-27T22:00:00+02:00">27 January 2025, 22:00 EET</time>' in article


@pytest.mark.django_db
def test_status_says_which_zone_its_times_are_in():
    from datetime import datetime

    from tests.factories import make_source
    from vistka.desk.status import status_lines

    source = make_source()
    source.last_success_at = datetime(2025, 6, 1, 9, 30, tzinfo=UTC)
    source.save()
    lines = status_lines()
    assert lines[0] == "Times are in the site's time zone, Europe/Kyiv (EET)." or "Europe/Kyiv (EEST)" in lines[0]
    assert any("last success 2025-06-01 12:30 EEST" in line for line in lines)


# --- lists that number what they should ---------------------------------------------------------------

def test_story_timeline_numbers_on_across_days(client, story_of_two_days):
    import re

    story, _articles = story_of_two_days
    html = client.get(story.get_absolute_url()).content.decode()
    starts = re.findall(r'<ol class="timeline" start="(\d+)">', html)
    assert starts == ["1", "2", "4"]  # 27 Jan: one report; 28 Jan: two; 29 Jan: one (Kyiv days)


@pytest.mark.django_db
def test_an_empty_search_says_so_without_a_numbered_item(client):
    from tests.factories import make_article, make_source

    make_article(make_source(), 1)
    html = client.get("/search/?q=zzzqqq").content.decode()
    assert '<p class="empty">Nothing found. Try fewer or other words.</p>' in html
    assert "<li>Nothing found" not in html and '<ol class="results"' not in html


# --- the home page's top story ------------------------------------------------------------------------

def test_a_top_story_is_headed_as_its_story_page_is(client, story_of_two_days):
    import re

    story, _articles = story_of_two_days
    home = client.get("/").content.decode()
    heading = re.search(r'<li class="top">.*?<h3><a href="([^"]+)">([^<]+)</a></h3>', home, re.S)
    assert heading and heading.group(1) == story.get_absolute_url()
    page = client.get(heading.group(1)).content.decode()
    assert re.search(r"<h1>([^<]+)</h1>", page).group(1) == heading.group(2)


# --- unknown names are errors with a suggestion ---------------------------------------------------------

@pytest.fixture
def cli(monkeypatch):
    """The CLI on the (already migrated) test database."""
    for module in ("editor", "glossary", "pipeline", "sources"):
        monkeypatch.setattr(f"vistka.cli.{module}.setup_django", lambda migrate=True: None)

    def invoke(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    return invoke


@pytest.mark.django_db
def test_unknown_source_names_are_errors_with_a_suggestion(cli):
    from tests.factories import make_source

    make_source(name="Svoboda")
    for command in (["retranslate", "--source", "Svobda"], ["fetch", "--source", "svoboda "],
                    ["sources", "pause", "Svobodaa"]):
        outcome = cli(*command)
        assert outcome.exit_code == 1, command
        assert "no source named" in outcome.output and "did you mean 'Svoboda'?" in outcome.output, outcome.output
    nothing_close = cli("retranslate", "--source", "Nope")
    assert nothing_close.exit_code == 1 and "did you mean" not in nothing_close.output
    assert "re-translated" not in nothing_close.output and "`vistka sources list`" in nothing_close.output


@pytest.mark.django_db
def test_an_unknown_glossary_language_is_an_error_with_a_suggestion(cli):
    from vistka.core.models import GlossaryEntry

    GlossaryEntry.objects.all().delete()  # the edition's glossary, loaded by a migration
    empty = cli("glossary", "list", "--lang", "uk")
    assert empty.exit_code == 1 and "vistka glossary load" in empty.output
    GlossaryEntry.objects.create(source="Київ", target="Kyiv")
    assert cli("glossary", "list", "--lang", "uk").output.startswith("Київ → Kyiv")
    unknown = cli("glossary", "list", "--lang", "ukr")
    assert unknown.exit_code == 1 and "did you mean 'uk'?" in unknown.output
    assert "languages with entries: uk" in cli("glossary", "list", "--lang", "xx").output


# --- the API answers in JSON; a favicon ------------------------------------------------------------------

@pytest.mark.django_db
def test_api_errors_are_json(client):
    assert client.get("/api")["Location"] == "/api/"  # to the API's documentation
    for path in ("/api/nothing-here", "/api/articles/", "/api/v2/articles/7"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json" and "no API endpoint" in response.json()["detail"]
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)  # as a program calls the API: no CSRF cookie or token
    for method in ("post", "put", "delete"):
        answer = getattr(strict, method)("/api/nowhere")
        assert answer.status_code == 404 and answer["Content-Type"] == "application/json", method
    wrong = strict.delete("/api/articles")
    assert wrong.status_code == 405 and wrong["Content-Type"] == "application/json"
    assert wrong["Allow"] == "GET" and wrong.json()["detail"] == "Method DELETE not allowed here; allowed: GET"
    missing = client.get("/api/articles/999999")
    assert missing.status_code == 404 and missing["Content-Type"].startswith("application/json")
    assert client.get("/api/articles").status_code == 200
    assert client.get("/nothing-here/")["Content-Type"].startswith("text/html")  # the site keeps its own 404 page


@pytest.mark.django_db
def test_a_favicon_is_served(client):
    from io import BytesIO

    from PIL import Image

    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    icon = Image.open(BytesIO(b"".join(response.streaming_content)))
    assert icon.format == "ICO" and (32, 32) in icon.info["sizes"]
    assert '<link rel="icon" href="/favicon.ico"' in client.get("/").content.decode()


# --- rel=canonical and the byline ------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize(("licence", "override", "points_at"), [
    ("full", "auto", "original"), ("excerpt", "auto", "site"), ("link", "auto", "site"),
    ("excerpt", "original", "original"), ("full", "site", "site"),
])
def test_canonical_names_the_original_for_full_text_copies(client, licence, override, points_at):
    import re

    from tests.factories import make_article, make_source

    source = make_source()
    source.licence_mode, source.canonical = licence, override
    source.save()
    article = make_article(source, 1, authors=["Олена Петренко", "Ivan K."])
    html = client.get(article.get_absolute_url()).content.decode()
    canonical = re.findall(r'<link rel="canonical" href="([^"]+)">', html)
    ours = "http://testserver" + article.get_absolute_url()
    assert canonical == [article.url if points_at == "original" else ours]
    assert '<span class="byline">By <span lang="uk">Олена Петренко, Ivan K.</span></span>' in html


def test_no_module_spells_a_list_of_choices_again():
    import re

    package = Path(__file__).resolve().parent.parent / "vistka"
    spelt = re.compile(r"""["']full["'],\s*["']excerpt["']|["']ctranslate2["'],\s*["']openai["']|"""
                       r"""["']number["'],\s*["']date["'],\s*["']cyrillic["']|"""
                       r"""(^|[^=!<>])=\s*["'](full|excerpt|link)["']|or ["'](full|excerpt|link)["']|"""
                       r"""get\([^)]*, ["'](full|excerpt|link)["']\)""", re.M)
    again = [str(path.relative_to(package)) for path in package.rglob("*.py")
             if "migrations" not in path.parts and path.name != "choices.py" and spelt.search(path.read_text())]
    assert again == [], f"declare lists of choices in vistka/config/choices.py, not in {again}"
