"""CLI parity for the desk: createeditor, apitoken, status, and the resumable re-translation job."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from django.conf import settings
from django.contrib.auth.models import User

from tests.factories import make_article, make_source
from vistka.cli import main
from vistka.core.models import ApiToken, ArticleStatus, FetchLog, Translation
from vistka.desk.jobs import read_checkpoint, run_resumable
from vistka.desk.retranslate import retranslate_articles
from vistka.desk.status import status_lines


@pytest.fixture
def no_migrate(monkeypatch):
    # The test database is already migrated; the CLI's own migrate step is not what is tested here.
    monkeypatch.setattr("vistka.cli.base.setup_django", lambda migrate=True: None)
    for module in ("vistka.cli.editor",):
        monkeypatch.setattr(f"{module}.setup_django", lambda migrate=True: None)


@pytest.mark.django_db
def test_createeditor_and_apitoken(no_migrate):
    runner = CliRunner()
    result = runner.invoke(main, ["createeditor", "ed", "--email", "ed@example.org", "--password", "s3cret-pw"])
    assert result.exit_code == 0, result.output
    user = User.objects.get(username="ed")
    assert user.is_staff and not user.is_superuser and user.groups.filter(name="editor").exists()
    again = runner.invoke(main, ["createeditor", "ed", "--password", "x"])
    assert again.exit_code != 0 and "already exists" in again.output
    token = runner.invoke(main, ["apitoken", "ed", "--name", "bot"])
    assert token.exit_code == 0 and token.output.startswith("vt_")
    assert ApiToken.objects.get().key_hash != token.output.strip()


@pytest.mark.django_db
def test_status_shows_queue_health_and_throughput():
    source = make_source()
    make_article(source, 1, status=ArticleStatus.IN_REVIEW, error="source requires review")
    FetchLog.objects.create(source=source, ok=True, entries=3, new=1)
    text = "\n".join(status_lines())
    assert "Review queue: 1" in text and "1 in review: source requires review" in text
    assert "Radio Test: 1/1 polls ok" in text and "Last 24 h: polls 1" in text


@pytest.mark.django_db
def test_resumable_job_stops_on_ctrl_c_and_resumes():
    seen, stop_at = [], {3}

    def work(pk):
        if pk in stop_at:  # Ctrl-C once, on the third item
            stop_at.clear()
            raise KeyboardInterrupt
        seen.append(pk)

    first = run_resumable("test-job", [5, 1, 3, 2, 4], work, progress=False)
    assert first.interrupted and seen == [1, 2] and read_checkpoint("test-job") == 2
    second = run_resumable("test-job", [5, 1, 3, 2, 4], work, progress=False)
    assert not second.interrupted and second.resumed_from == 2 and seen == [1, 2, 3, 4, 5]
    assert read_checkpoint("test-job") == 0  # a finished job leaves no checkpoint


@pytest.mark.django_db
def test_retranslate_uses_the_installed_model_and_resumes(tiny_package, monkeypatch):
    from vistka.pipeline.translate.packages import install_package, remove_package

    install_package("uk", "en", settings.TRANSLATION_PACKAGES_DIR, from_path=tiny_package, progress=False)
    try:
        source = make_source()
        articles = [make_article(source, n) for n in range(1, 4)]
        calls = []
        from vistka.pipeline.translate import translating
        real = translating.translate_into_site_language

        def flaky(article):
            calls.append(article.pk)
            if len(calls) == 2:
                raise KeyboardInterrupt
            return real(article)

        monkeypatch.setattr(translating, "translate_into_site_language", flaky)
        first = retranslate_articles(progress=False)
        assert first.interrupted and first.done == 1
        second = retranslate_articles(progress=False)
        assert not second.interrupted
        assert second.done == 2 and second.resumed_from == articles[0].pk
        engines = set(Translation.objects.values_list("model_id", flat=True))
        assert "test-model" not in engines
    finally:
        remove_package("uk", "en", settings.TRANSLATION_PACKAGES_DIR)
