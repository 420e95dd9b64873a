"""`vistka demo`: serve the bundled sample outlets locally, ingest them, and serve the site.

The terminal gets a handful of lines: where the outlets are, one line about translation, one summary
of the run (stored, published, held and why), where the site is. Per-article messages go to the
log file (DATA_DIR/demo.log) and `vistka status`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections import Counter
from pathlib import Path

import click

from vistka.cli.base import setup_django
from vistka.config.choices import DEFAULT_LICENCE_MODE

DEMO_LOG = "demo.log"


@click.command()
@click.option("--port", default=8000, type=click.IntRange(1, 65535), show_default=True,
              help="Port of the news site (`make demo PORT=…`).")
@click.option("--outlets-port", default=8001, type=click.IntRange(1, 65535), show_default=True,
              help="Port of the sample outlets (fixed, so article URLs stay the same between runs; "
                   "`make demo OUTLETS_PORT=…`).")
@click.option("--outlets-url", default="", help="Use sample outlets already served at this URL instead.")
@click.option("--serve/--no-serve", default=True, help="Serve the site after ingesting.")
@click.option("--queue", is_flag=True, help="Hand the polls to Celery workers (VISTKA_BROKER_URL) instead.")
@click.option("--install-model", is_flag=True,
              help="First try to download the Ukrainian→English model when none is installed (`make demo` does).")
def demo(port: int, outlets_port: int, outlets_url: str, serve: bool, queue: bool, install_model: bool) -> None:
    """Ingest the bundled sample outlets from a local server, then serve the site."""
    # Both ports are checked before anything else happens, so a busy port costs no ingest.
    if serve:
        ensure_port_free(port, "the news site", "--port", "PORT")
    if not outlets_url:
        ensure_port_free(outlets_port, "the sample outlets", "--outlets-port", "OUTLETS_PORT")
    # The sample outlets live on 127.0.0.1, which the fetch guard refuses unless allowed.
    allowed = os.environ.get("VISTKA_FETCH_ALLOW_HOSTS", "")
    os.environ["VISTKA_FETCH_ALLOW_HOSTS"] = ",".join(filter(None, [allowed, "127.0.0.1"]))
    os.environ.setdefault("VISTKA_FETCH_HOST_DELAY", "0")  # our own local server needs no politeness delay
    setup_django()
    from django.conf import settings

    from vistka.samples.server import SampleOutletServer

    log_file = log_to_file(Path(settings.DATA_DIR) / DEMO_LOG)
    click.echo(translation_line(import_sample_translations(), install_model))
    try:
        server = contextlib.nullcontext() if outlets_url else SampleOutletServer(port=outlets_port)
    except OSError as error:
        raise click.ClickException(port_message(outlets_port, "the sample outlets", "--outlets-port",
                                                "OUTLETS_PORT", error)) from None
    with server as outlets:
        base_url = outlets_url.rstrip("/") or outlets.base_url
        click.echo(f"sample outlets at {base_url}")
        sources = configure_sample_sources(base_url)
        if queue:
            enqueue_polls(sources)
        else:
            click.echo(ingest_now(sources) + f" (details: {log_file} and `vistka status`)")
        if serve:
            from django.conf import settings
            from django.core.management import call_command

            from vistka.cli.webserver import serve_site

            call_command("collectstatic", interactive=False, verbosity=0)
            click.echo(f"news site at http://127.0.0.1:{port}/ (Ctrl-C stops)")
            # The sample outlets keep running in this process while gunicorn serves the site.
            with contextlib.suppress(KeyboardInterrupt):
                serve_site("127.0.0.1", port, settings.WEB_WORKERS)


def ensure_port_free(port: int, what: str, option: str, make_variable: str) -> None:
    """A one-line error (no traceback) when something already listens on the port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a port in TIME_WAIT is free to use
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            raise click.ClickException(port_message(port, what, option, make_variable, error)) from None


def port_message(port: int, what: str, option: str, make_variable: str, error: OSError) -> str:
    return (f"port {port} for {what} is not free ({error.strerror or error}); choose another with "
            f"`make demo {make_variable}=…` or `vistka demo {option} …`")


def log_to_file(path: Path) -> Path:
    """The pipeline's messages go to `path`; the terminal keeps only errors."""
    logger = logging.getLogger("vistka")
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for existing in list(logger.handlers):
        if isinstance(existing, logging.StreamHandler) and not isinstance(existing, logging.FileHandler):
            existing.setLevel(logging.ERROR)
    logger.addHandler(handler)
    return path


def import_sample_translations() -> int:
    """Load the editors' translations of the Ukrainian samples into the translation memory; returns how
    many articles they cover (0 when the site language is not English)."""
    from django.conf import settings

    from vistka.pipeline.translate import normalize_language
    from vistka.pipeline.translate.memory import import_editors_translations
    from vistka.samples import load_translations, translation_pairs

    if normalize_language(settings.SITE_LANGUAGE) != "en":
        return 0
    import_editors_translations(translation_pairs(), "uk", "en")
    return len(load_translations())


def translation_line(edited: int, install_model: bool) -> str:
    """One line: which engine translates Ukrainian, and what happens to the sample articles."""
    from django.conf import settings

    from vistka.pipeline.translate import TranslationUnavailable
    from vistka.pipeline.translate.translating import engine_for

    target = settings.SITE_LANGUAGE
    why_not = try_installing_model(target) if install_model else ""
    editors = (f"the {edited} Ukrainian sample articles are published in the editors' translations"
               if edited else "")
    try:
        engine = engine_for("uk")
    except TranslationUnavailable as error:
        reason = why_not or str(error).split(";")[0]
        rest = f"{editors}; other articles wait" if editors else "Ukrainian articles wait"
        return f"translation: no uk→{target} engine ({reason}); {rest} for `vistka translate install uk {target}`"
    used = f"{engine.name} ({engine.model_id})"
    return f"translation: uk→{target} by {used}" + (f"; {editors}" if editors else "")


def try_installing_model(target: str) -> str:
    """Download the uk→target package when the ctranslate2 engine has none; "" or why it could not."""
    from django.conf import settings

    from vistka.pipeline.translate.packages import (
        PackageDownloadError,
        PackageError,
        install_package,
        list_packages,
    )

    if settings.TRANSLATION_ENGINE != "ctranslate2":
        return ""
    if any((package.source, package.target) == ("uk", target)
           for package in list_packages(settings.TRANSLATION_PACKAGES_DIR)):
        return ""
    try:
        install_package("uk", target, settings.TRANSLATION_PACKAGES_DIR)
    except PackageDownloadError:
        return "offline: the model could not be downloaded"
    except PackageError as error:
        return f"the model could not be installed: {error}"
    return ""


def ingest_now(sources: list) -> str:
    """Poll every sample outlet once; the one-line summary of the run."""
    from concurrent.futures import ThreadPoolExecutor

    from vistka.pipeline.run import run_once

    # In a thread of its own: the pass lowers its thread's priority (VISTKA_PIPELINE_NICE, per thread on
    # Linux), and the web server started from this thread afterwards must not inherit it.
    with ThreadPoolExecutor(1, thread_name_prefix="vistka-demo-ingest") as ingest:
        reports = ingest.submit(run_once, sources, progress=True).result()
    failed = [f"{report.source}: {report.error}" for report in reports if report.error]
    return run_summary(sources, sum(report.new for report in reports), failed)


def run_summary(sources: list, new: int, failed_outlets: list[str]) -> str:
    from vistka.core.models import Article, ArticleStatus

    articles = Article.objects.filter(source__in=sources)
    statuses = Counter(articles.values_list("status", flat=True))
    published = statuses.pop(ArticleStatus.PUBLISHED, 0)
    held = sum(count for status, count in statuses.items()
               if status not in (ArticleStatus.REJECTED, ArticleStatus.WITHDRAWN))
    reasons = Counter()
    for status, error in articles.exclude(status__in=[ArticleStatus.PUBLISHED, ArticleStatus.REJECTED,
                                                      ArticleStatus.WITHDRAWN]).values_list("status", "error"):
        reasons[ArticleStatus(status).label.lower() + (f": {short_reason(error)}" if error else "")] += 1
    held_text = f"{held} held ({', '.join(f'{n} {why}' for why, n in reasons.most_common())})" if held else "0 held"
    outlets = f"{len(sources)} outlets" + (f", {len(failed_outlets)} unreachable ({'; '.join(failed_outlets)})"
                                           if failed_outlets else "")
    return f"run: {new} new articles stored from {outlets}; {articles.count()} in all, {published} published, {held_text}"


def short_reason(error: str) -> str:
    """The gist of a stored error: its first clause, without paths that differ per machine."""
    first = error.split(";")[0].strip()
    return first.split(" in /")[0][:120]


def enqueue_polls(sources: list) -> None:
    from vistka.core.models import Source
    from vistka.workers.app import configure_from_settings
    from vistka.workers.scheduler import enqueue_due_sources

    try:
        configure_from_settings()
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None
    Source.objects.filter(pk__in=[source.pk for source in sources]).update(next_poll_at=None)
    click.echo(f"enqueued {len(enqueue_due_sources())} source(s) for the workers")


def configure_sample_sources(base_url: str) -> list:
    """Create or update one Source per bundled outlet, fetched from the local sample server.

    The homepage is the outlet's own (fictional, reserved `.example`) domain, so pages name the outlet
    by its domain, never by the loopback address the sample server happens to listen on.
    """
    from vistka.core.models import Source
    from vistka.samples.server import outlets

    sources = []
    for outlet in outlets():
        homepage = f"https://{outlet['domain']}/" if outlet.get("domain") else base_url + outlet["homepage"]
        source, _ = Source.objects.update_or_create(
            name=outlet["name"],
            defaults={"homepage": homepage, "feed_url": base_url + outlet["feed"],
                      "language": outlet["language"], "licence_mode": outlet.get("licence", DEFAULT_LICENCE_MODE),
                      "active": True},
        )
        sources.append(source)
    return sources
