"""Papercuts a new user and editor meet in their first hour (issue 17, item 4), one test each."""

from __future__ import annotations

import os
import subprocess
import sys
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
    from vistka.core.sourcelist import import_outlines
    from vistka.pipeline.opml import Outline

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
