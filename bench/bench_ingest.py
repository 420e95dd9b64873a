"""make bench-ingest: the embedded pipeline's throughput against plain trafilatura on the same pages.

Translation off. vistka's time covers everything — feed polling, HTTP fetches from a local server,
extraction, language detection, storage, story assignment and related posts; trafilatura's covers
extraction alone from pages already in memory.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def configure_django(data_dir: str) -> None:
    # Our own local server: no politeness delay (outlets get VISTKA_FETCH_HOST_DELAY, 1 s by default).
    os.environ.update(VISTKA_DATA_DIR=data_dir, VISTKA_FETCH_ALLOW_HOSTS="127.0.0.1", VISTKA_FETCH_HOST_DELAY="0",
                      VISTKA_TRANSLATION_ENGINE="none", DJANGO_SETTINGS_MODULE="vistka.config.settings")
    for name in ("VISTKA_DATABASE_URL", "VISTKA_BROKER_URL"):
        os.environ.pop(name, None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def time_trafilatura(pages: list[bytes], urls: list[str]) -> float:
    import trafilatura

    started = time.perf_counter()
    for page, url in zip(pages, urls, strict=True):
        trafilatura.extract(page, url=url)
    return time.perf_counter() - started


def time_vistka(outlets) -> tuple[float, int]:
    from vistka.core.models import Article, Source
    from vistka.pipeline.run import run_once

    sources = [Source.objects.create(name=f"Synthetic {s}", homepage=outlets.homepage(s),
                                     feed_url=outlets.feed_url(s), language="en")
               for s in range(outlets.sources)]
    started = time.perf_counter()
    run_once(sources)
    return time.perf_counter() - started, Article.objects.filter(status="published").count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", type=int, default=20)
    parser.add_argument("--per-source", type=int, default=100)
    args = parser.parse_args()
    configure_django(tempfile.mkdtemp(prefix="vistka-bench-ingest-"))
    from bench.synthetic_outlets import SyntheticOutlets

    # No artificial latency: this benchmark compares CPU cost with trafilatura's.
    with SyntheticOutlets(args.sources, args.per_source) as outlets:
        numbers = [(s, n) for s in range(args.sources) for n in range(args.per_source)]
        urls = [f"{outlets.homepage(s)}a{n}.html" for s, n in numbers]
        pages = [outlets.page(s, n).encode() for s, n in numbers]
        trafilatura_seconds = time_trafilatura(pages, urls)
        vistka_seconds, published = time_vistka(outlets)
    n = len(urls)
    rows = [("vistka pipeline (fetch+extract+store+stories)", vistka_seconds, published),
            ("plain trafilatura.extract (in memory)", trafilatura_seconds, n)]
    print(f"{'':48} {'pages':>6} {'seconds':>8} {'pages/s':>8}")
    for name, seconds, pages_done in rows:
        print(f"{name:48} {pages_done:>6} {seconds:>8.1f} {pages_done / seconds:>8.1f}")
    ours, theirs = published / vistka_seconds, n / trafilatura_seconds
    print(f"RESULT pages_per_s={ours:.1f} trafilatura_pages_per_s={theirs:.1f} ratio={ours / theirs:.2f}")


if __name__ == "__main__":
    main()
