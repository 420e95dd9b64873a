"""Render the bundled sample outlets from ``corpus/*.yaml``.

    python -m vistka.samples.build            # writes site/ and gold.json next to this file
    python -m vistka.samples.build --out DIR  # writes DIR/site and DIR/gold.json

The pages and feeds are ``templates/<outlet>/{article,home}.html`` and ``templates/<outlet>/<feed>``;
each outlet's menu and sidebar length are data in ``outlets.yaml``.  This module loads the corpus,
works out what a page shows (body paragraphs with their read-also blocks, most read, share links,
JSON-LD) and renders the templates with a Django template engine that needs no Django settings
(README.md, "Templates", has the conventions).

The output is deterministic (no timestamps of "now", sorted iteration, fixed JPEG
settings).  Every absolute URL of the sample server is written as the literal
placeholder ``{{BASE}}``; :mod:`vistka.samples.server` substitutes it at serve time.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml
from django.template import Context as TemplateContext
from django.template import Engine

from vistka.samples.formats import iso

HERE = Path(__file__).resolve().parent
CORPUS_DIR = HERE / "corpus"
OUTLETS_FILE = HERE / "outlets.yaml"
TEMPLATES_DIR = HERE / "templates"
BASE = "{{BASE}}"
IMG_W, IMG_H = 320, 180


def stable_int(*parts: str) -> int:
    return int(hashlib.md5("|".join(parts).encode("utf-8")).hexdigest()[:8], 16)


def parse_dt(value) -> datetime:
    if isinstance(value, datetime):
        dt = value
    else:
        dt = datetime.fromisoformat(str(value))
    if dt.tzinfo is None:
        raise ValueError(f"datetime without timezone: {value!r}")
    return dt


# --------------------------------------------------------------------------------------
# data model
# --------------------------------------------------------------------------------------


@dataclass
class Article:
    id: str
    outlet: str
    story: str
    path: str
    title: str
    lead: str
    paragraphs: list[str]
    published: datetime
    updated: datetime | None
    authors: list[str]
    image: str
    caption: str
    section: str
    tags: list[str]
    read_also: list[tuple[int, str]] = field(default_factory=list)  # (after paragraph n, article id)
    near_duplicate_of: str | None = None
    language: str = "uk"
    extra: dict = field(default_factory=dict)  # template-specific: paywall_after, gallery, embeds

    @property
    def url(self) -> str:
        return BASE + self.path

    @property
    def image_url(self) -> str:
        return BASE + self.image

    @property
    def file_path(self) -> str:
        p = self.path.lstrip("/")
        return p + "index.html" if p.endswith("/") else p

    @property
    def key(self) -> str:
        last = [p for p in self.path.split("/") if p][-1]
        return last.removesuffix(".html")

    @property
    def number(self) -> str:
        m = re.match(r"\d+", self.key)
        return m.group(0) if m else str(stable_int(self.id) % 10_000_000)


def load_outlets() -> dict[str, dict]:
    with OUTLETS_FILE.open(encoding="utf-8") as fh:
        return {o["slug"]: o for o in yaml.safe_load(fh)}


def load_corpus(corpus_dir: Path = CORPUS_DIR) -> tuple[list[dict], list[Article]]:
    outlets = load_outlets()
    stories: list[dict] = []
    articles: list[Article] = []
    for f in sorted(corpus_dir.glob("*.yaml")):
        doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        story = doc["story"]
        story.setdefault("file", f.name)
        known = next((s for s in stories if s["slug"] == story["slug"]), None)
        if known is None:
            stories.append(story)  # a later file may add articles to a story by naming its slug only
        for raw in doc["articles"]:
            outlet = raw["outlet"]
            if outlet not in outlets:
                raise ValueError(f"{f.name}: unknown outlet {outlet!r}")
            published = parse_dt(raw["published"])
            art = Article(
                id=raw.get("id") or f"{outlet}-{story['slug']}",
                outlet=outlet,
                story=story["slug"],
                path=raw["path"],
                title=raw["title"].strip(),
                lead=" ".join(raw["lead"].split()),
                paragraphs=[" ".join(p.split()) for p in raw["paragraphs"]],
                published=published,
                updated=parse_dt(raw["updated"]) if raw.get("updated") else None,
                authors=list(raw.get("authors") or []),
                image="",
                caption=" ".join(raw.get("caption", "").split()),
                section=raw.get("section") or "",
                tags=list(raw.get("tags") or []),
                near_duplicate_of=raw.get("near_duplicate_of"),
                language=outlets[outlet]["language"],
                extra={k: raw[k] for k in ("paywall_after", "gallery", "embeds") if k in raw},
            )
            art.image = raw.get("image") or f"/{outlet}/img/{published:%Y/%m}/{art.key}.jpg"
            for ra in raw.get("read_also") or []:
                art.read_also.append((int(ra["after"]), ra["id"]))
            articles.append(art)
    validate(stories, articles, outlets)
    return stories, articles


def validate(stories: list[dict], articles: list[Article], outlets: dict[str, dict]) -> None:
    by_id: dict[str, Article] = {}
    paths: set[str] = set()
    for a in articles:
        if a.id in by_id:
            raise ValueError(f"duplicate article id {a.id}")
        by_id[a.id] = a
        if a.path in paths:
            raise ValueError(f"duplicate path {a.path}")
        paths.add(a.path)
        if not a.path.startswith(f"/{a.outlet}/"):
            raise ValueError(f"{a.id}: path must start with /{a.outlet}/")
        n_body = len(a.paragraphs) + (1 if outlets[a.outlet]["lead_in_body"] else 0)
        if not 4 <= n_body <= 9:
            raise ValueError(f"{a.id}: {n_body} body paragraphs (want 4-9, lead included when in body)")
        if outlets[a.outlet]["lead_in_body"] and a.paragraphs[0] == a.lead:
            raise ValueError(f"{a.id}: do not repeat the lead in paragraphs; it is prepended by the template")
    for a in articles:
        n_body = len(a.paragraphs) + (1 if outlets[a.outlet]["lead_in_body"] else 0)
        for after, target in a.read_also:
            if target not in by_id:
                raise ValueError(f"{a.id}: read_also target {target} does not exist")
            if target == a.id:
                raise ValueError(f"{a.id}: read_also points to itself")
            if not 1 <= after < n_body:
                raise ValueError(f"{a.id}: read_also after={after} outside 1..{n_body - 1}")
            if by_id[target].published > a.published:
                raise ValueError(f"{a.id}: read_also target {target} is published later")
        if a.near_duplicate_of and a.near_duplicate_of not in by_id:
            raise ValueError(f"{a.id}: near_duplicate_of {a.near_duplicate_of} does not exist")
        if a.updated and a.updated < a.published:
            raise ValueError(f"{a.id}: updated before published")


# --------------------------------------------------------------------------------------
# helpers shared by the templates

# --------------------------------------------------------------------------------------
# what the pages show
# --------------------------------------------------------------------------------------


def body_paragraphs(a: Article, outlet: dict) -> list[str]:
    """The <p> texts of the article body, in order (this is what gold.json records).

    Behind a paywall only the teaser paragraphs are on the page, so only they are gold."""
    paragraphs = ([a.lead] if outlet["lead_in_body"] else []) + a.paragraphs
    return paragraphs[: a.extra["paywall_after"]] if a.extra.get("paywall_after") else paragraphs


def gallery_images(a: Article) -> list[tuple[str, str]]:
    """(caption, image path) of each photo in a photo story, after the lead image."""
    return [
        (" ".join(caption.split()), f"/{a.outlet}/img/{a.published:%Y/%m}/{a.key}-{n}.jpg")
        for n, caption in enumerate(a.extra.get("gallery", []), start=1)
    ]


def read_also_blocks(a: Article) -> dict[int, list[str]]:
    blocks: dict[int, list[str]] = {}
    for after, target in a.read_also:
        blocks.setdefault(after, []).append(target)
    return blocks


def comments_count(a: Article) -> int:
    return stable_int(a.id, "comments") % 37


def most_read(a: Article, same_outlet: list[Article], n: int = 5) -> list[Article]:
    others = [o for o in same_outlet if o.id != a.id]
    return sorted(others, key=lambda o: stable_int(o.id, "popular"))[:n]


def share_links(a: Article) -> list[tuple[str, str, str]]:
    from urllib.parse import quote

    u = a.url  # keeps {{BASE}} verbatim so that the server substitutes it
    t = quote(a.title, safe="")
    return [
        ("facebook", "Facebook", f"https://www.facebook.com/sharer/sharer.php?u={u}"),
        ("telegram", "Telegram", f"https://t.me/share/url?url={u}&amp;text={t}"),
        ("x", "X", f"https://twitter.com/intent/tweet?url={u}&amp;text={t}"),
    ]


def json_ld(obj) -> str:
    text = json.dumps(obj, ensure_ascii=False, indent=2)
    return text.replace("</", "<\\/")


def news_article_ld(a: Article, outlet: dict, extra: dict | None = None) -> dict:
    ld: dict = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": a.url},
        "headline": a.title,
        "description": a.lead,
        "image": {"@type": "ImageObject", "url": a.image_url, "width": IMG_W, "height": IMG_H},
        "datePublished": iso(a.published),
        "dateModified": iso(a.updated or a.published),
        "inLanguage": a.language,
    }
    if a.authors:
        ld["author"] = [{"@type": "Person", "name": n} for n in a.authors]
    ld["publisher"] = {
        "@type": "Organization",
        "name": outlet["name"],
        "url": f"{BASE}{outlet['homepage']}",
    }
    if extra:
        ld.update(extra)
    return ld


def body_items(a: Article, outlet: dict, ctx: Context) -> list[dict]:
    """Each body paragraph with the embeds and read-also targets placed after it."""
    blocks = read_also_blocks(a)
    embeds: dict[int, list[dict]] = {}
    for embed in a.extra.get("embeds", []):
        embeds.setdefault(int(embed["after"]), []).append(embed)
    return [
        {
            "text": text,
            "first": i == 1,
            "embeds": embeds.get(i, []),
            "read_also": [ctx.by_id[target] for target in blocks.get(i, [])],
        }
        for i, text in enumerate(body_paragraphs(a, outlet), start=1)
    ]


def body_lines(body: list[dict]) -> list[dict]:
    """The body as one element per line: a paragraph, then its embeds, then one block per read-also."""
    lines: list[dict] = []
    for p in body:
        lines.append({"kind": "p", "text": p["text"]})
        lines += [{"kind": "embed", "embed": embed} for embed in p["embeds"]]
        lines += [{"kind": "also", "target": target} for target in p["read_also"]]
    return lines


def ukrvisti_rubric(a: Article, outlet: dict) -> tuple[str, str]:
    """The rubric (name, link) is the path's ``rubric-*`` folder; unknown ones fall back to the section."""
    m = re.match(r"/ukrvisti/(rubric-[a-z]+)/", a.path)
    slug = m.group(1) if m else "rubric-politics"
    for name, href in outlet["nav"]:
        if href.endswith(slug):
            return name, href
    return a.section or "Новини", f"/ukrvisti/{slug}"


# What each outlet's templates need beyond the common page values (a CMS's own numbering, JSON-LD
# shapes, neighbours); the markup itself is all in templates/<outlet>/.


def _svoboda(page: dict, a: Article, outlet: dict, ctx: Context) -> None:
    page["ld"] = json_ld(news_article_ld(a, outlet))


def _pravda(page: dict, a: Article, outlet: dict, ctx: Context) -> None:
    arts = ctx.outlet_articles[a.outlet]
    idx = next(i for i, o in enumerate(arts) if o.id == a.id)  # newest first
    page["previous"] = arts[idx + 1] if idx + 1 < len(arts) else None
    page["next"] = arts[idx - 1] if idx > 0 else None
    page["category"] = page["section_href"].rstrip("/").rsplit("/", 1)[-1]
    page["wp_image"] = stable_int(a.id) % 900000 + 100000
    page["ld"] = json_ld(
        {
            "@context": "https://schema.org",
            "@graph": [
                {k: v for k, v in news_article_ld(a, outlet).items() if k != "@context"},
                {
                    "@type": "BreadcrumbList",
                    "itemListElement": [
                        {"@type": "ListItem", "position": 1, "name": "Головна", "item": f"{BASE}/pravda/"},
                        {"@type": "ListItem", "position": 2, "name": a.section or "Новини"},
                    ],
                },
            ],
        }
    )


def _ukrvisti(page: dict, a: Article, outlet: dict, ctx: Context) -> None:
    page["rubric"], page["rubric_href"] = ukrvisti_rubric(a, outlet)
    page["latest"] = [o for o in ctx.outlet_articles[a.outlet][:6] if o.id != a.id]
    page["ld"] = json_ld(news_article_ld(a, outlet, {"articleSection": page["rubric"]}))


def _ledger(page: dict, a: Article, outlet: dict, ctx: Context) -> None:
    page["story_id"] = stable_int(a.id) % 1000000
    page["ld"] = json_ld(
        news_article_ld(
            a,
            outlet,
            {
                "articleSection": a.section or "News",
                "keywords": a.tags,
                "articleBody": "\n\n".join(a.paragraphs),
                "isAccessibleForFree": True,
            },
        )
    )
    page["ld_crumbs"] = json_ld(
        {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": "Home", "item": f"{BASE}/ledger/"},
                {"@type": "ListItem", "position": 2, "name": "News", "item": f"{BASE}/ledger/news/"},
                {"@type": "ListItem", "position": 3, "name": a.title, "item": a.url},
            ],
        }
    )


def _slobid(page: dict, a: Article, outlet: dict, ctx: Context) -> None:
    page["lines"] = body_lines(page["body"])
    page["views"] = 100 + page["comments"] * 53
    page["ld"] = json_ld(news_article_ld(a, outlet))


def _dnipro(page: dict, a: Article, outlet: dict, ctx: Context) -> None:
    lines = body_lines(page["body"])
    gallery = [{"kind": "photo", "caption": caption, "path": path} for caption, path in gallery_images(a)]
    if gallery:  # a photo story: a photo after each line, the rest at the end
        lines = (
            [x for pair in zip(lines, gallery, strict=False) for x in pair]
            + lines[len(gallery) :]
            + gallery[len(lines) :]
        )
    page["lines"] = lines
    page["views"] = page["comments"] * 97
    extra_ld = {"isAccessibleForFree": not a.extra.get("paywall_after")}
    if a.extra.get("paywall_after"):
        extra_ld["articleBody"] = "\n".join(a.paragraphs)
        extra_ld["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": ".paywall",
        }
    page["ld"] = json_ld(news_article_ld(a, outlet, extra_ld))


OUTLET_PAGES = {
    "svoboda": _svoboda,
    "pravda": _pravda,
    "ukrvisti": _ukrvisti,
    "ledger": _ledger,
    "slobid": _slobid,
    "dnipro": _dnipro,
}


def article_page(a: Article, outlet: dict, ctx: Context) -> dict:
    """Everything the outlet's templates show about one article (its page, its home-page card, its feed item)."""
    nav = dict(outlet.get("nav") or [])
    page = {
        "a": a,
        "body": body_items(a, outlet, ctx),
        "share": share_links(a),
        "comments": comments_count(a),
        "popular": most_read(a, ctx.outlet_articles[a.outlet], outlet.get("most_read", 5)),
        # an unknown section links to the first menu item, as a CMS's default category does
        "section_href": nav.get(a.section, next(iter(nav.values()), "")),
    }
    OUTLET_PAGES[a.outlet](page, a, outlet, ctx)
    return page


# --------------------------------------------------------------------------------------
# templates
# --------------------------------------------------------------------------------------


@functools.cache
def engine() -> Engine:
    # Autoescaping is off: the templates escape each value with esc/xesc (formats.py), because
    # Django's escaping would also turn apostrophes into &#x27;.  An unknown variable prints a marker,
    # so a typo shows in the output (and fails the test that compares it with the checked-in site).
    return Engine(
        dirs=[str(TEMPLATES_DIR)],
        autoescape=False,
        string_if_invalid="<<unknown template variable %s>>",
        builtins=["vistka.samples.formats"],
    )


def render(name: str, context: dict) -> str:
    """Render ``templates/<name>``; use_l10n=False keeps numbers and dates free of any locale setting."""
    template = engine().get_template(name)
    return template.render(TemplateContext(context, autoescape=False, use_l10n=False))


# --------------------------------------------------------------------------------------
# images
# --------------------------------------------------------------------------------------


def render_image(a: Article, dest: Path) -> None:
    """A small deterministic "photo": gradient sky, skyline silhouettes, a caption bar."""
    from PIL import Image, ImageDraw

    h = hashlib.md5(a.id.encode("utf-8")).digest()
    top = (40 + h[0] % 120, 60 + h[1] % 120, 90 + h[2] % 140)
    bottom = (150 + h[3] % 100, 110 + h[4] % 110, 70 + h[5] % 120)
    img = Image.new("RGB", (IMG_W, IMG_H))
    draw = ImageDraw.Draw(img)
    for y in range(IMG_H):
        t = y / (IMG_H - 1)
        draw.line([(0, y), (IMG_W, y)], fill=tuple(int(top[c] * (1 - t) + bottom[c] * t) for c in range(3)))
    # skyline
    x = 0
    i = 6
    dark = (20 + h[6] % 40, 20 + h[7] % 40, 30 + h[8] % 40)
    while x < IMG_W:
        w = 14 + h[i % 16] % 30
        height = 30 + h[(i + 3) % 16] % 80
        draw.rectangle([x, IMG_H - height, x + w, IMG_H], fill=dark)
        x += w + h[(i + 7) % 16] % 6
        i += 1
    # sun/moon and a lower-third bar like a news photo credit strip
    cx, cy, r = 40 + h[9] % 240, 25 + h[10] % 40, 10 + h[11] % 12
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(240, 230 - h[12] % 60, 180))
    draw.rectangle([0, IMG_H - 14, IMG_W, IMG_H], fill=(0, 0, 0))
    draw.rectangle([6, IMG_H - 10, 6 + 40 + h[13] % 80, IMG_H - 5], fill=(200, 200, 200))
    dest.parent.mkdir(parents=True, exist_ok=True)
    img.save(dest, "JPEG", quality=70, optimize=True)


# --------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------------------


@dataclass
class Context:
    outlets: dict[str, dict]
    articles: list[Article]
    by_id: dict[str, Article]
    outlet_articles: dict[str, list[Article]]  # newest first


def gold_entry(a: Article, outlet: dict, ctx: Context) -> dict:
    return {
        "id": a.id,
        "outlet": a.outlet,
        "story": a.story,
        "url": a.url,
        "title": a.title,
        "published": iso(a.published),
        "updated": iso(a.updated),
        "authors": a.authors,
        "image": a.image_url,
        "language": a.language,
        "lead": a.lead,
        "lead_in_body": bool(outlet["lead_in_body"]),
        "paragraphs": body_paragraphs(a, outlet),
        "read_also": [ctx.by_id[t].url for _, t in a.read_also],
        "tags": a.tags,
        "near_duplicate_of": a.near_duplicate_of,
    }


def stories_index(stories: list[dict], articles: list[Article]) -> list[dict]:
    """Story metadata for clustering tests; hard negatives are made symmetric."""
    known = {s["slug"] for s in stories}
    hard: dict[str, set[str]] = {s["slug"]: set() for s in stories}
    for s in stories:
        for other in s.get("hard_negatives") or []:
            if other not in known:
                raise ValueError(f"story {s['slug']}: unknown hard negative {other}")
            hard[s["slug"]].add(other)
            hard[other].add(s["slug"])
    out = []
    for s in sorted(stories, key=lambda s: (str(s["date"]), s["slug"])):
        arts = sorted((a for a in articles if a.story == s["slug"]), key=lambda a: (a.published, a.id))
        out.append(
            {
                "story": s["slug"],
                "title": s["title"],
                "date": str(s["date"]),
                "articles": [a.id for a in arts],
                "outlets": sorted({a.outlet for a in arts}),
                "languages": sorted({a.language for a in arts}),
                "hard_negatives": sorted(hard[s["slug"]]),
                "near_duplicates": [list(p) for p in s.get("near_duplicates") or []],
            }
        )
    return out


def build(
    out_dir: Path | None = None,
    gold_path: Path | None = None,
    images: bool = True,
    stories_path: Path | None = None,
) -> dict:
    """Render everything. Returns counts.

    ``out_dir`` is the site directory (wiped first); ``gold_path`` and ``stories_path``
    default to ``gold.json`` / ``stories.json`` next to this file (or next to ``gold_path``).
    """
    out_dir = Path(out_dir) if out_dir else HERE / "site"
    gold_path = Path(gold_path) if gold_path else HERE / "gold.json"
    stories_path = Path(stories_path) if stories_path else gold_path.with_name("stories.json")
    outlets = load_outlets()
    stories, articles = load_corpus()
    outlet_articles = {
        slug: sorted(
            (a for a in articles if a.outlet == slug), key=lambda a: (a.published, a.id), reverse=True
        )
        for slug in outlets
    }
    ctx = Context(outlets, articles, {a.id: a for a in articles}, outlet_articles)

    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)

    def write(rel: str, text: str, encoding: str = "utf-8") -> None:
        dest = out_dir / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding=encoding, newline="\n")

    common = {"base": BASE, "w": IMG_W, "h": IMG_H}
    write("index.html", render("index.html", {**common, "outlets": list(outlets.values())}))
    write("robots.txt", render("robots.txt", common))
    for slug, outlet in outlets.items():
        charset = outlet.get("charset", "utf-8")
        arts = outlet_articles[slug]
        pages = [article_page(a, outlet, ctx) for a in arts]
        for a, page in zip(arts, pages, strict=True):
            write(a.file_path, render(f"{slug}/article.html", {**common, "outlet": outlet, **page}), charset)
            if images:
                render_image(a, out_dir / a.image.lstrip("/"))
                for n, (_, path) in enumerate(gallery_images(a), start=1):
                    render_image(Article(**{**a.__dict__, "id": f"{a.id}-{n}"}), out_dir / path.lstrip("/"))
        listing = {
            **common,
            "outlet": outlet,
            "items": pages,
            "last": max((a.updated or a.published) for a in arts),
        }
        write(outlet["homepage"].lstrip("/") + "index.html", render(f"{slug}/home.html", listing), charset)
        feed = outlet["feed"].lstrip("/")
        write(feed, render(f"{slug}/{Path(feed).name}", listing), charset)

    ordered = sorted(articles, key=lambda a: (a.published, a.id))
    gold = [gold_entry(a, outlets[a.outlet], ctx) for a in ordered]
    gold_path.parent.mkdir(parents=True, exist_ok=True)
    gold_path.write_text(
        json.dumps(gold, ensure_ascii=False, indent=2) + "\n", encoding="utf-8", newline="\n"
    )
    stories_path.write_text(
        json.dumps(stories_index(stories, articles), ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
        newline="\n",
    )
    return {
        "articles": len(articles),
        "stories": len({a.story for a in articles}),
        "outlets": len({a.outlet for a in articles}),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the vistka sample outlets.")
    parser.add_argument("--out", type=Path, default=None, help="write DIR/site and DIR/gold.json instead")
    args = parser.parse_args(argv)
    if args.out:
        counts = build(args.out / "site", args.out / "gold.json")
    else:
        counts = build()
    print(f"built {counts['articles']} articles, {counts['stories']} stories, {counts['outlets']} outlets")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
