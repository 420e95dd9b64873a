"""make eval-pictures: real pages through the whole ingest path, every picture checked to be ours.

Mozilla Readability's real test pages (../shared/corpora or VISTKA_CORPORA; read from the archive,
never copied) are served as a local outlet whose every address answers with a generated photo
(tests/picture_pages.py). Each page is ingested as a new article; the stored body is then checked:
every <img> and srcset candidate must be under /media/ and give a file (each width made as the
site makes it on its first request). Also counted: pictures in
the extracted bodies before storing (with outlet addresses) and lazy-load placeholders among them.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=0, help="only the first N pages (0: all)")
    args = parser.parse_args()
    from bench.bench_ingest import configure_django

    configure_django(tempfile.mkdtemp(prefix="vistka-eval-pictures-"))
    import logging
    import tarfile

    from django.conf import settings

    from tests import picture_pages
    from vistka.core import pictures
    from vistka.core.models import Source
    from vistka.pipeline.fetch import FetchPolicy
    from vistka.pipeline.run import ingest_entry
    from vistka.pipeline.sources.feedreader import FeedEntry

    if not picture_pages.READABILITY_ARCHIVE.exists():
        sys.exit(f"{picture_pages.READABILITY_ARCHIVE} is absent: see ../shared/corpora/README.md")
    logging.disable(logging.INFO)
    with tarfile.open(picture_pages.READABILITY_ARCHIVE) as archive:
        names = sorted({member.name.split("/")[1] for member in archive if member.name.endswith("/source.html")})
    names = names[: args.pages] if args.pages else names
    media = Path(settings.MEDIA_ROOT)
    totals = dict(pages=0, stored=0, with_pictures=0, pictures=0, captions=0, not_ours=0, missing_files=0)
    started = time.perf_counter()
    for number, name in enumerate(names):
        with picture_pages.mirrored_outlet(name) as outlet:
            source = Source.objects.create(name=f"Outlet {number}", homepage=f"{outlet.base_url}/",
                                           feed_url=f"{outlet.base_url}/rss", language="en")
            article = ingest_entry(source, FeedEntry(guid=name, link=f"{outlet.base_url}/page.html"),
                                   FetchPolicy(allow_hosts=["127.0.0.1"]), then=lambda article: None)
        totals["pages"] += 1
        if article is None or article.status == "failed":
            continue
        totals["stored"] += 1
        sources = re.findall(r'<img[^>]*\ssrc="([^"]*)"', article.body_html)
        candidates = [item.split()[0] for value in re.findall(r'srcset="([^"]*)"', article.body_html)
                      for item in value.split(", ")]
        addresses = sources + candidates + ([f"/media/{article.image_file}"] if article.image_file else [])
        totals["with_pictures"] += bool(sources)
        totals["pictures"] += len(sources)
        totals["captions"] += article.body_html.count("<figcaption>")
        totals["not_ours"] += sum(not address.startswith("/media/images/") for address in addresses)
        # Each width is made as the site makes it on its first request: every address must give a file.
        totals["missing_files"] += sum(address.startswith("/media/") and pictures.width_file(media, address[7:]) is None
                                       for address in addresses)
    seconds = time.perf_counter() - started
    print(f"{'real pages (readability-test-pages)':40} {totals['pages']:>6}")
    for key, label in [("stored", "articles stored"), ("with_pictures", "bodies with pictures"),
                       ("pictures", "body pictures shown (ours)"), ("captions", "captions kept (figcaption)"),
                       ("not_ours", "addresses not under /media/"), ("missing_files", "addresses without a file")]:
        print(f"{label:40} {totals[key]:>6}")
    print(f"{'seconds':40} {seconds:>6.0f}")
    print(f"RESULT pages={totals['pages']} body_pictures={totals['pictures']} captions={totals['captions']} "
          f"not_ours={totals['not_ours']} missing_files={totals['missing_files']}")


if __name__ == "__main__":
    main()
