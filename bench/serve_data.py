"""Build the benchmark's database: ingest the bundled sample outlets, then clone articles up to N.

Prints the URLs to load as name=path lines. Run with VISTKA_DATA_DIR pointing at a scratch folder.
"""

from __future__ import annotations

import sys
from datetime import timedelta

import django
from django.db import transaction


def build(total: int) -> dict[str, str]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from vistka.cli.demo import configure_sample_sources
    from vistka.core.models import Article, ArticleStatus
    from vistka.pipeline.run import run_once
    from vistka.samples.server import SampleOutletServer

    with SampleOutletServer() as outlets:
        run_once(configure_sample_sources(outlets.base_url))
    originals = list(Article.objects.filter(status=ArticleStatus.PUBLISHED).prefetch_related("topics"))
    if not originals:
        sys.exit("no sample article was published")
    _clone(originals, total - len(originals))
    call_command("collectstatic", interactive=False, verbosity=0)
    return _urls(originals[0])


@transaction.atomic
def _clone(originals: list, count: int) -> None:
    """Copies spread over earlier days, so pages, feeds and search work on a table of realistic size.

    bulk_create skips the save signals; the search index is rebuilt once at the end instead.
    """
    from vistka.core.models import Article, Translation
    from vistka.site import fulltext
    from vistka.site.caching import bump_revision

    copies, sources = [], []
    for n in range(count):
        source = originals[n % len(originals)]
        copy = Article.objects.get(pk=source.pk)
        copy.pk, copy.story = None, None
        copy.guid, copy.url = f"{source.guid}#copy{n}", f"{source.url}?copy={n}"
        copy.published_at = source.published_at - timedelta(hours=6 * (n // len(originals) + 1))
        copies.append(copy)
        sources.append(source)
    Article.objects.bulk_create(copies, batch_size=500)
    translations = {t.article_id: t for t in Translation.objects.filter(article__in=originals)}
    Translation.objects.bulk_create(
        [Translation(article=copy, language=found.language, title=found.title, lead=found.lead,
                     body_html=found.body_html, engine=found.engine, model_id=found.model_id)
         for copy, source in zip(copies, sources, strict=True) if (found := translations.get(source.pk))],
        batch_size=500)
    links = Article.topics.through
    links.objects.bulk_create([links(article_id=copy.pk, topic_id=topic.pk)
                               for copy, source in zip(copies, sources, strict=True) for topic in source.topics.all()],
                              batch_size=1000)
    fulltext.rebuild()
    bump_revision()


def _urls(article) -> dict[str, str]:
    from django.contrib.staticfiles.storage import staticfiles_storage

    return {"home": "/", "article": article.get_absolute_url(), "search": "/search/?q=refinery",
            "feed": "/feed.rss", "static": staticfiles_storage.url("site/site.css")}


if __name__ == "__main__":
    django.setup()
    for name, path in build(int(sys.argv[1])).items():
        print(f"{name}={path}")
