"""Render the bundled sample outlets from ``corpus/*.yaml``.

    python -m vistka.samples.build            # writes site/ and gold.json next to this file
    python -m vistka.samples.build --out DIR  # writes DIR/site and DIR/gold.json

The output is deterministic (no timestamps of "now", sorted iteration, fixed JPEG
settings).  Every absolute URL of the sample server is written as the literal
placeholder ``{{BASE}}``; :mod:`vistka.samples.server` substitutes it at serve time.

Only the standard library and Pillow are used for rendering.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CORPUS_DIR = HERE / "corpus"
OUTLETS_FILE = HERE / "outlets.yaml"
BASE = "{{BASE}}"
IMG_W, IMG_H = 320, 180

UK_MONTHS = [
    "січня", "лютого", "березня", "квітня", "травня", "червня",
    "липня", "серпня", "вересня", "жовтня", "листопада", "грудня",
]  # fmt: skip
EN_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


def esc(text: str) -> str:
    """Escape for HTML text and double-quoted attributes (apostrophes stay as they are)."""
    return escape(text, quote=False).replace('"', "&quot;")


def xesc(text: str) -> str:
    """Escape for XML text/attributes."""
    return escape(text, quote=True)


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


def iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


def translit_slug(name: str) -> str:
    table = {
        "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh",
        "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n",
        "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "’": "", "'": "",
    }  # fmt: skip
    out = "".join(table.get(c, c) for c in name.lower())
    return re.sub(r"[^a-z0-9]+", "-", out).strip("-")


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


def body_paragraphs(a: Article, outlet: dict) -> list[str]:
    """The <p> texts of the article body, in order (this is what gold.json records).

    Behind a paywall only the teaser paragraphs are on the page, so only they are gold."""
    paragraphs = ([a.lead] if outlet["lead_in_body"] else []) + a.paragraphs
    return paragraphs[: a.extra["paywall_after"]] if a.extra.get("paywall_after") else paragraphs


def gallery_images(a: Article) -> list[tuple[str, str]]:
    """(caption, image path) of each photo in a photo story, after the lead image."""
    return [(" ".join(caption.split()), f"/{a.outlet}/img/{a.published:%Y/%m}/{a.key}-{n}.jpg")
            for n, caption in enumerate(a.extra.get("gallery", []), start=1)]


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


def uk_date(dt: datetime, with_year: bool = True) -> str:
    y = f" {dt.year}" if with_year else ""
    return f"{dt.day} {UK_MONTHS[dt.month - 1]}{y}, {dt:%H:%M}"


def en_date(dt: datetime) -> str:
    return f"{EN_MONTHS[dt.month - 1]} {dt.day}, {dt.year}, {dt:%H:%M}"


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


def head_meta(a: Article, outlet: dict, title_suffix: str, extra: str = "") -> str:
    lines = [
        f"<title>{esc(a.title)}{esc(title_suffix)}</title>",
        f'<meta name="description" content="{esc(a.lead)}">',
        f'<link rel="canonical" href="{a.url}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:site_name" content="{esc(outlet["name"])}">',
        f'<meta property="og:title" content="{esc(a.title)}">',
        f'<meta property="og:description" content="{esc(a.lead)}">',
        f'<meta property="og:url" content="{a.url}">',
        f'<meta property="og:image" content="{a.image_url}">',
        f'<meta property="og:image:width" content="{IMG_W}">',
        f'<meta property="og:image:height" content="{IMG_H}">',
        f'<meta property="article:published_time" content="{iso(a.published)}">',
    ]
    if a.updated:
        lines.append(f'<meta property="article:modified_time" content="{iso(a.updated)}">')
    if a.section:
        lines.append(f'<meta property="article:section" content="{esc(a.section)}">')
    lines += [f'<meta property="article:tag" content="{esc(t)}">' for t in a.tags]
    lines.append('<meta name="twitter:card" content="summary_large_image">')
    if extra:
        lines.append(extra)
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# svoboda: RFE/RL-like CMS
# --------------------------------------------------------------------------------------

SVOBODA_NAV = [
    ("Новини", "/svoboda/z/630"),
    ("Війна", "/svoboda/z/22950"),
    ("Політика", "/svoboda/z/11430"),
    ("Світ", "/svoboda/z/9150"),
    ("Економіка", "/svoboda/z/5920"),
    ("Крим", "/svoboda/z/21374"),
    ("Відео", "/svoboda/z/2296"),
    ("Подкасти", "/svoboda/podcasts"),
]


def svoboda_header(outlet: dict) -> str:
    nav = "\n".join(
        f'      <li class="main-menu__item"><a href="{h}">{esc(t)}</a></li>' for t, h in SVOBODA_NAV
    )
    return f"""<div id="cookie-consent" class="cookie-banner" role="dialog" aria-live="polite">
  <p class="cookie-banner__text">Ми використовуємо файли cookie, щоб сайт працював краще. Продовжуючи перегляд, ви погоджуєтеся з нашою <a href="/svoboda/p/5338.html">політикою конфіденційності</a>.</p>
  <button type="button" class="btn cookie-banner__btn">Погоджуюсь</button>
</div>
<header class="hdr">
  <div class="hdr__inner">
    <a class="hdr__logo" href="/svoboda/" title="{esc(outlet["name"])}"><span class="logo-text">{esc(outlet["name"])}</span></a>
    <nav class="main-menu" aria-label="Головне меню">
      <ul class="main-menu__list">
{nav}
      </ul>
    </nav>
    <div class="hdr__tools"><a class="btn-live" href="/svoboda/live/">Ефір</a> <a class="btn-search" href="/svoboda/s">Пошук</a></div>
  </div>
</header>"""


def svoboda_footer(outlet: dict) -> str:
    return f"""<footer class="ftr">
  <div class="ftr__inner">
    <ul class="ftr__links">
      <li><a href="/svoboda/p/5338.html">Про нас</a></li>
      <li><a href="/svoboda/p/5339.html">Контакти</a></li>
      <li><a href="/svoboda/p/5340.html">Умови використання</a></li>
      <li><a href="/svoboda/rss.xml">RSS</a></li>
    </ul>
    <p class="ftr__copyright">© 2025 {esc(outlet["name"])}. Усі права захищені. Передрук матеріалів можливий лише з активним посиланням на джерело.</p>
  </div>
</footer>
<script>window.wave = window.wave || {{}}; wave.pageType = "article"; wave.analytics = {{"section": "news", "lang": "uk"}};</script>"""


def render_svoboda(a: Article, outlet: dict, ctx: Context) -> str:
    paras = body_paragraphs(a, outlet)
    blocks = read_also_blocks(a)
    body: list[str] = []
    for i, p in enumerate(paras, start=1):
        body.append(f"          <p>{esc(p)}</p>")
        for target in blocks.get(i, []):
            t = ctx.by_id[target]
            body.append(
                '          <div class="wsw__embed"><div class="media-block also-read">'
                '<span class="also-read__title">Читайте також:</span> '
                f'<a class="also-read__link" href="{t.url}">{esc(t.title)}</a></div></div>'
            )
    if a.authors:
        authors = "\n".join(
            f'            <li class="links__item"><a href="/svoboda/author/{translit_slug(n)}">{esc(n)}</a></li>'
            for n in a.authors
        )
        authors_html = f'        <div class="authors">\n          <ul class="links">\n{authors}\n          </ul>\n        </div>\n'
    else:
        authors_html = ""
    updated = ""
    if a.updated:
        updated = (
            f'\n        <span class="date updated">Оновлено <time datetime="{iso(a.updated)}">'
            f"{uk_date(a.updated)}</time></span>"
        )
    share = "\n".join(
        f'          <li class="share__item share__item--{k}"><a href="{h}" target="_blank" rel="noopener" title="{v}">{v}</a></li>'
        for k, v, h in share_links(a)
    )
    tags = "\n".join(
        f'          <li><a href="/svoboda/tag/{translit_slug(t)}">{esc(t)}</a></li>' for t in a.tags
    )
    popular = "\n".join(
        f'          <li class="media-block"><a href="{o.path}" title="{esc(o.title)}"><span class="title">{esc(o.title)}</span></a></li>'
        for o in most_read(a, ctx.outlet_articles[a.outlet])
    )
    ld = json_ld(news_article_ld(a, outlet))
    head = head_meta(a, outlet, f" | {outlet['name']}")
    body_html = "\n".join(body)
    return f"""<!DOCTYPE html>
<html lang="uk" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{head}
<link rel="alternate" type="application/rss+xml" title="{esc(outlet["name"])}" href="{BASE}/svoboda/rss.xml">
<script type="application/ld+json">
{ld}
</script>
<style>.wsw p{{margin:0 0 1em}}.cookie-banner{{position:fixed;bottom:0}}</style>
</head>
<body class="pg-article nojs">
{svoboda_header(outlet)}
<div class="container" id="content">
  <div class="row">
    <div class="col-title col-xs-12">
      <div class="category"><a href="{dict(SVOBODA_NAV).get(a.section, "/svoboda/z/630")}">{esc(a.section or "Новини")}</a></div>
      <h1 class="title pg-title">{esc(a.title)}</h1>
      <div class="publishing-details">
{authors_html}        <span class="date published"><time pubdate="pubdate" datetime="{iso(a.published)}">{uk_date(a.published)}</time></span>{updated}
      </div>
      <div class="links share">
        <ul class="share__list">
{share}
        </ul>
      </div>
    </div>
    <div class="col-main col-xs-12 col-md-8">
      <div class="cover-media">
        <figure class="media-image js-media-expand">
          <div class="img-wrap"><img src="{a.image_url}" alt="{esc(a.caption)}" width="{IMG_W}" height="{IMG_H}"></div>
          <figcaption><span class="caption">{esc(a.caption)}</span></figcaption>
        </figure>
      </div>
      <div id="article-content" class="content-floated-wrap fb-quotable">
        <div class="wsw">
{body_html}
        </div>
      </div>
      <div class="subscribe-box" data-nosnippet>
        <span class="subscribe-box__title">Підписуйтесь на «{esc(outlet["name"])}» у Telegram</span>
        <a class="btn" href="https://t.me/vilna_khvylia">Підписатися</a>
      </div>
      <div class="tags">
        <span class="tags__title">Теги:</span>
        <ul class="tags__list">
{tags}
        </ul>
      </div>
      <div class="comments-link"><a href="{a.path}#comments">Коментарі ({comments_count(a)})</a></div>
    </div>
    <aside class="col-sidebar col-xs-12 col-md-4">
      <div class="most-popular">
        <h2 class="section-head">Найпопулярніше</h2>
        <ol class="most-popular__list">
{popular}
        </ol>
      </div>
    </aside>
  </div>
</div>
{svoboda_footer(outlet)}
</body>
</html>
"""


def render_svoboda_home(outlet: dict, arts: list[Article]) -> str:
    items = []
    for i, a in enumerate(arts):
        cls = "media-block media-block--lead" if i == 0 else "media-block"
        items.append(
            f"""      <li class="{cls}">
        <a class="img-wrap" href="{a.path}"><img src="{a.image}" alt="" width="{IMG_W}" height="{IMG_H}"></a>
        <div class="content"><span class="date">{uk_date(a.published)}</span>
          <a href="{a.path}" title="{esc(a.title)}"><h4 class="media-block__title">{esc(a.title)}</h4></a>
          <p class="perex">{esc(a.lead)}</p>
        </div>
      </li>"""
        )
    items_html = "\n".join(items)
    return f"""<!DOCTYPE html>
<html lang="uk">
<head>
<meta charset="utf-8">
<title>{esc(outlet["name"])} – новини, аналітика, розслідування</title>
<link rel="canonical" href="{BASE}/svoboda/">
<meta property="og:title" content="{esc(outlet["name"])}">
<meta property="og:type" content="website">
<link rel="alternate" type="application/rss+xml" title="{esc(outlet["name"])}" href="{BASE}/svoboda/rss.xml">
</head>
<body class="pg-home">
{svoboda_header(outlet)}
<div class="container" id="content">
  <h1 class="section-head">Головне</h1>
  <ul class="media-block-wrap">
{items_html}
  </ul>
</div>
{svoboda_footer(outlet)}
</body>
</html>
"""


def rfc822(dt: datetime) -> str:
    return format_datetime(dt)


def feed_svoboda(outlet: dict, arts: list[Article]) -> str:
    items = []
    for a in arts:
        cats = "".join(f"\n      <category>{xesc(c)}</category>" for c in [a.section or "Новини"])
        items.append(
            f"""    <item>
      <title>{xesc(a.title)}</title>
      <link>{a.url}</link>
      <guid isPermaLink="true">{a.url}</guid>
      <pubDate>{rfc822(a.published)}</pubDate>{cats}
      <description>{xesc(a.lead)}</description>
      <enclosure url="{a.image_url}" length="0" type="image/jpeg"/>
    </item>"""
        )
    last = max((a.updated or a.published) for a in arts)
    items_xml = "\n".join(items)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>{xesc(outlet["name"])}</title>
    <link>{BASE}/svoboda/</link>
    <description>Новини України та світу від «{xesc(outlet["name"])}»</description>
    <language>uk</language>
    <copyright>© 2025 {xesc(outlet["name"])}</copyright>
    <ttl>5</ttl>
    <lastBuildDate>{rfc822(last)}</lastBuildDate>
    <generator>Wave CMS</generator>
    <atom:link href="{BASE}/svoboda/rss.xml" rel="self" type="application/rss+xml"/>
{items_xml}
  </channel>
</rss>
"""


# --------------------------------------------------------------------------------------
# pravda: WordPress-like
# --------------------------------------------------------------------------------------

PRAVDA_NAV = [
    ("Новини", "/pravda/category/news/"),
    ("Війна", "/pravda/category/war/"),
    ("Політика", "/pravda/category/politics/"),
    ("Економіка", "/pravda/category/economy/"),
    ("Світ", "/pravda/category/world/"),
    ("Колонки", "/pravda/category/columns/"),
    ("Спецпроєкти", "/pravda/special/"),
]


def pravda_header(outlet: dict) -> str:
    nav = "\n".join(
        f'        <li class="menu-item menu-item-type-taxonomy"><a href="{h}">{esc(t)}</a></li>'
        for t, h in PRAVDA_NAV
    )
    return f"""<a class="skip-link screen-reader-text" href="#primary">Перейти до вмісту</a>
<header id="masthead" class="site-header">
  <div class="site-branding">
    <p class="site-title"><a href="/pravda/" rel="home">{esc(outlet["name"])}</a></p>
    <p class="site-description">Новини України та світу щодня</p>
  </div>
  <nav id="site-navigation" class="main-navigation" aria-label="Головне меню">
    <button class="menu-toggle" aria-controls="primary-menu" aria-expanded="false">Меню</button>
    <div class="menu-main-container">
      <ul id="primary-menu" class="menu">
{nav}
      </ul>
    </div>
  </nav>
</header>"""


def pravda_footer(outlet: dict) -> str:
    return f"""<footer id="colophon" class="site-footer">
  <div class="footer-widgets">
    <section class="widget widget_text"><div class="textwidget">Редакція: <a href="mailto:news@pravda-sohodni.example">news@pravda-sohodni.example</a></div></section>
  </div>
  <div class="site-info">
    <p>© 2000–2025 «{esc(outlet["name"])}». Використання матеріалів сайту дозволяється лише за умови гіперпосилання на сайт «{esc(outlet["name"])}» не нижче третього абзацу.</p>
    <span class="sep"> | </span><a href="https://wordpress.org/">Працює на WordPress</a>
  </div>
</footer>
<div id="cookie-notice" role="dialog" class="cookie-notice-hidden cookie-revoke-hidden cn-position-bottom" aria-label="Cookie Notice">
  <div class="cookie-notice-container"><span id="cn-notice-text" class="cn-text-container">Ми використовуємо cookie для аналітики та персоналізації реклами.</span><span id="cn-notice-buttons" class="cn-buttons-container"><a href="#" id="cn-accept-cookie" class="cn-set-cookie cn-button">Гаразд</a></span></div>
</div>
<script type="text/javascript" id="wp-emoji-settings">var _wpemojiSettings = {{"baseUrl":"https:\\/\\/s.w.org\\/images\\/core\\/emoji\\/15.0.3\\/72x72\\/"}};</script>"""


def pravda_authors_html(a: Article) -> str:
    if not a.authors:
        return ""
    spans = [
        f'<span class="author vcard"><a class="url fn n" href="/pravda/author/{translit_slug(n)}/">{esc(n)}</a></span>'
        for n in a.authors
    ]
    joined = spans[0] if len(spans) == 1 else ", ".join(spans[:-1]) + " та " + spans[-1]
    return f' <span class="byline"><span class="screen-reader-text">Автор:</span> {joined}</span>'


def pravda_content(a: Article, outlet: dict, ctx: Context, indent: str = "") -> str:
    """The entry-content HTML (also used as the feed's content:encoded)."""
    paras = body_paragraphs(a, outlet)
    blocks = read_also_blocks(a)
    out = [
        f'{indent}<figure class="wp-block-image size-large"><img decoding="async" width="{IMG_W}" height="{IMG_H}" '
        f'src="{a.image_url}" alt="" class="wp-image-{stable_int(a.id) % 900000 + 100000}"/>'
        f'<figcaption class="wp-element-caption">{esc(a.caption)}</figcaption></figure>'
    ]
    for i, p in enumerate(paras, start=1):
        if i == 1 and outlet["lead_in_body"]:
            out.append(f"{indent}<p><strong>{esc(p)}</strong></p>")
        else:
            out.append(f"{indent}<p>{esc(p)}</p>")
        for target in blocks.get(i, []):
            t = ctx.by_id[target]
            out.append(
                f'{indent}<div class="read-also-block"><span class="read-also-label">Читайте також:</span> '
                f'<a href="{t.url}">{esc(t.title)}</a></div>'
            )
    return "\n".join(out)


def render_pravda(a: Article, outlet: dict, ctx: Context) -> str:
    pid = a.number
    cat_href = dict(PRAVDA_NAV).get(a.section, "/pravda/category/news/")
    posted = f'<time class="entry-date published" datetime="{iso(a.published)}">{uk_date(a.published)}</time>'
    if a.updated:
        posted += f'<time class="updated" datetime="{iso(a.updated)}">{uk_date(a.updated)}</time>'
    share = "\n".join(
        f'          <li class="share-{k}"><a rel="nofollow noopener noreferrer" class="share-{k} sd-button share-icon" href="{h}" target="_blank"><span>{v}</span></a></li>'
        for k, v, h in share_links(a)
    )
    tag_links = ", ".join(f'<a href="/pravda/tag/{translit_slug(t)}/" rel="tag">{esc(t)}</a>' for t in a.tags)
    tag_classes = " ".join(f"tag-{translit_slug(t)}" for t in a.tags)
    arts = ctx.outlet_articles[a.outlet]
    idx = next(i for i, o in enumerate(arts) if o.id == a.id)  # newest first
    prev_a = arts[idx + 1] if idx + 1 < len(arts) else None
    next_a = arts[idx - 1] if idx > 0 else None
    post_nav = []
    if prev_a:
        post_nav.append(
            f'<div class="nav-previous"><a href="{prev_a.path}" rel="prev"><span class="nav-subtitle">Попередня:</span> <span class="nav-title">{esc(prev_a.title)}</span></a></div>'
        )
    if next_a:
        post_nav.append(
            f'<div class="nav-next"><a href="{next_a.path}" rel="next"><span class="nav-subtitle">Наступна:</span> <span class="nav-title">{esc(next_a.title)}</span></a></div>'
        )
    popular = "\n".join(f'        <li><a href="{o.path}">{esc(o.title)}</a></li>' for o in most_read(a, arts))
    ld = json_ld(
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
    head = head_meta(a, outlet, f" | {outlet['name']}")
    content = pravda_content(a, outlet, ctx, indent="      ")
    n_comments = comments_count(a)
    return f"""<!doctype html>
<html lang="uk">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="index, follow, max-image-preview:large">
{head}
<meta name="generator" content="WordPress 6.7.1">
<link rel="alternate" type="application/rss+xml" title="{esc(outlet["name"])} &raquo; Стрічка" href="{BASE}/pravda/feed.xml">
<link rel="shortlink" href="{BASE}/pravda/?p={pid}">
<script type="application/ld+json" class="yoast-schema-graph">
{ld}
</script>
<link rel="stylesheet" id="theme-style-css" href="/pravda/wp-content/themes/pravda/style.css?ver=2.4.1" media="all">
</head>
<body class="post-template-default single single-post postid-{pid} single-format-standard wp-embed-responsive">
<div id="page" class="site">
{pravda_header(outlet)}
<div id="content" class="site-content">
  <div id="primary" class="content-area">
    <main id="main" class="site-main">
    <nav class="breadcrumbs" aria-label="breadcrumbs"><span><a href="/pravda/">Головна</a></span> » <span><a href="{cat_href}">{esc(a.section or "Новини")}</a></span> » <span class="breadcrumb_last" aria-current="page">{esc(a.title)}</span></nav>
    <article id="post-{pid}" class="post-{pid} post type-post status-publish format-standard has-post-thumbnail hentry category-{cat_href.rstrip("/").rsplit("/", 1)[-1]} {tag_classes}">
      <header class="entry-header">
        <h1 class="entry-title">{esc(a.title)}</h1>
        <div class="entry-meta"><span class="posted-on"><a href="{a.path}" rel="bookmark">{posted}</a></span>{pravda_authors_html(a)}</div>
      </header>
      <div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block sd-social sd-social-icon-text sd-sharing">
        <h3 class="sd-title">Поділитися:</h3>
        <div class="sd-content"><ul>
{share}
        </ul></div>
      </div></div>
      <div class="entry-content">
{content}
      </div><!-- .entry-content -->
      <div class="post-subscribe"><strong>Підписуйтесь на наш Telegram-канал</strong> — першими дізнавайтеся головне: <a href="https://t.me/pravda_sohodni">t.me/pravda_sohodni</a></div>
      <footer class="entry-footer"><span class="cat-links">Рубрика: <a href="{cat_href}" rel="category tag">{esc(a.section or "Новини")}</a></span> <span class="tags-links">Теги: {tag_links}</span></footer>
    </article>
    <nav class="navigation post-navigation" aria-label="Записи">
      <h2 class="screen-reader-text">Навігація записів</h2>
      <div class="nav-links">{"".join(post_nav)}</div>
    </nav>
    <div id="comments" class="comments-area">
      <h2 class="comments-title">Коментарі ({n_comments})</h2>
      <div id="respond" class="comment-respond">
        <h3 id="reply-title" class="comment-reply-title">Залишити коментар</h3>
        <form action="/pravda/wp-comments-post.php" method="post" id="commentform" class="comment-form">
          <p class="comment-notes">Ваша e-mail адреса не оприлюднюватиметься. Обов’язкові поля позначені *</p>
          <p class="comment-form-comment"><label for="comment">Коментар *</label><textarea id="comment" name="comment" rows="6"></textarea></p>
          <p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Надіслати коментар"></p>
        </form>
      </div>
    </div>
    </main>
  </div>
  <aside id="secondary" class="widget-area">
    <section class="widget widget_popular_posts">
      <h2 class="widget-title">Найчитаніше</h2>
      <ul>
{popular}
      </ul>
    </section>
    <section class="widget widget_text"><div class="textwidget">Маєте новину? Пишіть нам у <a href="https://t.me/pravda_sohodni_bot">бот</a>.</div></section>
  </aside>
</div>
{pravda_footer(outlet)}
</div>
</body>
</html>
"""


def render_pravda_home(outlet: dict, arts: list[Article]) -> str:
    items = []
    for a in arts:
        items.append(
            f"""      <article class="post type-post status-publish hentry">
        <header class="entry-header"><h2 class="entry-title"><a href="{a.path}" rel="bookmark">{esc(a.title)}</a></h2>
        <div class="entry-meta"><time class="entry-date published" datetime="{iso(a.published)}">{uk_date(a.published)}</time></div></header>
        <div class="entry-summary"><p>{esc(a.lead)} […]</p></div>
      </article>"""
        )
    items_html = "\n".join(items)
    return f"""<!doctype html>
<html lang="uk">
<head>
<meta charset="UTF-8">
<title>{esc(outlet["name"])} – Новини України та світу щодня</title>
<link rel="canonical" href="{BASE}/pravda/">
<meta property="og:type" content="website">
<meta property="og:title" content="{esc(outlet["name"])}">
<link rel="alternate" type="application/rss+xml" title="{esc(outlet["name"])} &raquo; Стрічка" href="{BASE}/pravda/feed.xml">
</head>
<body class="home blog">
<div id="page" class="site">
{pravda_header(outlet)}
<div id="content" class="site-content">
  <div id="primary" class="content-area">
    <main id="main" class="site-main">
{items_html}
    </main>
  </div>
</div>
{pravda_footer(outlet)}
</div>
</body>
</html>
"""


def feed_pravda(outlet: dict, arts: list[Article], ctx: Context) -> str:
    items = []
    for a in arts:
        creators = "".join(f"\n\t\t<dc:creator><![CDATA[{n}]]></dc:creator>" for n in a.authors)
        cats = "".join(
            f"\n\t\t<category><![CDATA[{c}]]></category>" for c in [a.section or "Новини", *a.tags]
        )
        content = pravda_content(a, outlet, ctx)
        items.append(
            f"""\t<item>
\t\t<title>{xesc(a.title)}</title>
\t\t<link>{a.url}</link>
\t\t<comments>{a.url}#respond</comments>{creators}
\t\t<pubDate>{rfc822(a.published)}</pubDate>{cats}
\t\t<guid isPermaLink="false">{BASE}/pravda/?p={a.number}</guid>
\t\t<description><![CDATA[{a.lead} [&#8230;]]]></description>
\t\t<content:encoded><![CDATA[{content}]]></content:encoded>
\t\t<wfw:commentRss>{a.url}feed/</wfw:commentRss>
\t\t<slash:comments>{comments_count(a)}</slash:comments>
\t</item>"""
        )
    last = max((a.updated or a.published) for a in arts)
    items_xml = "\n".join(items)
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:wfw="http://wellformedweb.org/CommentAPI/"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:atom="http://www.w3.org/2005/Atom"
\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
\txmlns:slash="http://purl.org/rss/1.0/modules/slash/"
\t>

<channel>
\t<title>{xesc(outlet["name"])}</title>
\t<atom:link href="{BASE}/pravda/feed.xml" rel="self" type="application/rss+xml" />
\t<link>{BASE}/pravda/</link>
\t<description>Новини України та світу щодня</description>
\t<lastBuildDate>{rfc822(last)}</lastBuildDate>
\t<language>uk</language>
\t<sy:updatePeriod>hourly</sy:updatePeriod>
\t<sy:updateFrequency>1</sy:updateFrequency>
\t<generator>https://wordpress.org/?v=6.7.1</generator>
{items_xml}
</channel>
</rss>
"""


# --------------------------------------------------------------------------------------
# ukrvisti: custom CMS, table layout, Atom
# --------------------------------------------------------------------------------------

UKRVISTI_RUBRICS = [
    ("Політика", "/ukrvisti/rubric-politics"),
    ("Економіка", "/ukrvisti/rubric-economy"),
    ("Війна", "/ukrvisti/rubric-war"),
    ("Світ", "/ukrvisti/rubric-world"),
    ("Регіони", "/ukrvisti/rubric-regions"),
    ("Суспільство", "/ukrvisti/rubric-society"),
    ("Культура", "/ukrvisti/rubric-culture"),
]


def ukrvisti_date(dt: datetime) -> str:
    return f"{dt:%d.%m.%Y %H:%M}"


def ukrvisti_rubric(a: Article) -> tuple[str, str]:
    m = re.match(r"/ukrvisti/(rubric-[a-z]+)/", a.path)
    slug = m.group(1) if m else "rubric-politics"
    for name, href in UKRVISTI_RUBRICS:
        if href.endswith(slug):
            return name, href
    return a.section or "Новини", f"/ukrvisti/{slug}"


def ukrvisti_top(outlet: dict) -> str:
    menu = " | ".join(f'<a href="{h}">{esc(t)}</a>' for t, h in UKRVISTI_RUBRICS)
    return f"""<table class="top-bar" width="100%" cellpadding="0" cellspacing="0">
  <tr>
    <td class="logo"><a href="/ukrvisti/"><span class="logo-name">{esc(outlet["name"])}</span></a><div class="slogan">Національна служба новин</div></td>
    <td class="top-menu">{menu}</td>
    <td class="lang"><a href="/ukrvisti/" class="active">UA</a> <a href="/ukrvisti/en/">EN</a> <a href="/ukrvisti/de/">DE</a></td>
  </tr>
</table>"""


def ukrvisti_bottom(outlet: dict) -> str:
    return f"""<div class="footer">
  <table width="100%"><tr>
    <td class="footer-menu"><a href="/ukrvisti/about.html">Про агенцію</a> · <a href="/ukrvisti/contacts.html">Контакти</a> · <a href="/ukrvisti/adv.html">Реклама</a> · <a href="/ukrvisti/atom.xml">Atom</a></td>
    <td class="copyright">© 2002–2025 {esc(outlet["name"])}. Всі права захищені. При цитуванні та використанні будь-яких матеріалів в Інтернеті відкриті для пошукових систем гіперпосилання не нижче першого абзацу на «{esc(outlet["name"])}» обов’язкові.</td>
  </tr></table>
</div>
<div class="cookies-warning" id="cookiesWarning">Сайт використовує файли cookies. Залишаючись на сайті, ви погоджуєтесь з <a href="/ukrvisti/privacy.html">умовами</a>. <span class="btn" onclick="hideCookies()">OK</span></div>
<script>function hideCookies(){{document.getElementById('cookiesWarning').style.display='none';}}</script>"""


def render_ukrvisti(a: Article, outlet: dict, ctx: Context) -> str:
    paras = body_paragraphs(a, outlet)
    blocks = read_also_blocks(a)
    body = []
    for i, p in enumerate(paras, start=1):
        body.append(f"        <p>{esc(p)}</p>")
        for target in blocks.get(i, []):
            t = ctx.by_id[target]
            body.append(
                f'        <div class="read-more-inline"><b>Читайте також:</b> <a href="{t.url}">{esc(t.title)}</a></div>'
            )
    if len(a.authors) == 1:
        author_html = f'      <div class="news-author">Автор: {esc(a.authors[0])}</div>\n'
    elif a.authors:
        author_html = f'      <div class="news-author">Автори: {esc(", ".join(a.authors))}</div>\n'
    else:
        author_html = ""
    rubric, rubric_href = ukrvisti_rubric(a)
    share = " ".join(f'<a class="sh-{k}" href="{h}" target="_blank">{v}</a>' for k, v, h in share_links(a))
    tags = ", ".join(f'<a href="/ukrvisti/tag-{translit_slug(t)}">{esc(t)}</a>' for t in a.tags)
    arts = ctx.outlet_articles[a.outlet]
    popular = "\n".join(
        f'          <li><a href="{o.path}">{esc(o.title)}</a></li>' for o in most_read(a, arts, 4)
    )
    latest = "\n".join(
        f'          <li><span class="time">{o.published:%H:%M}</span> <a href="{o.path}">{esc(o.title)}</a></li>'
        for o in arts[:6]
        if o.id != a.id
    )
    ld = json_ld(news_article_ld(a, outlet, {"articleSection": rubric}))
    head = head_meta(a, outlet, f" | {outlet['name']}")
    updated_line = f' <span class="upd">(оновлено {ukrvisti_date(a.updated)})</span>' if a.updated else ""
    body_html = "\n".join(body)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" lang="uk" xml:lang="uk">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
{head}
<meta name="keywords" content="{esc(", ".join(a.tags))}" />
<link rel="alternate" type="application/atom+xml" title="{esc(outlet["name"])}" href="{BASE}/ukrvisti/atom.xml" />
<script type="application/ld+json">
{ld}
</script>
<script type="text/javascript">var _uvq = _uvq || []; _uvq.push(['page', '{a.number}']);</script>
</head>
<body>
<div id="wrapper">
{ukrvisti_top(outlet)}
<div class="breadcrumbs"><a href="/ukrvisti/">Головна</a> › <a href="{rubric_href}">{esc(rubric)}</a></div>
<div class="layout clearfix">
    <div class="main-col">
    <div class="news-item">
      <h1 class="news-title">{esc(a.title)}</h1>
      <div class="news-date">{ukrvisti_date(a.published)}{updated_line}</div>
      <div class="article-lead"><b>{esc(a.lead)}</b></div>
      <figure class="news-photo"><img src="{a.image_url}" alt="{esc(a.title)}" width="{IMG_W}" height="{IMG_H}" /><figcaption class="photo-caption">{esc(a.caption)}</figcaption></figure>
      <div class="news-text">
{body_html}
      </div>
{author_html}      <div class="share-line">Поділитися: {share} <a class="sh-viber" href="viber://forward?text={a.url}">Viber</a></div>
      <div class="tg-promo">Більше новин — у нашому <a href="https://t.me/ukrvisti_news">Telegram-каналі</a>. Підписуйтесь!</div>
      <div class="news-tags">Теги: {tags}</div>
      <div class="comments-count"><a href="#comments">Коментарі ({comments_count(a)})</a></div>
    </div>
    </div>
    <div class="side-col">
      <table class="side-block" width="100%"><tr><td class="block-title">Популярне</td></tr><tr><td>
      <ul class="popular">
{popular}
      </ul>
      </td></tr></table>
      <div class="block-title">Останні новини</div>
      <ul class="last-news">
{latest}
      </ul>
    </div>
</div>
{ukrvisti_bottom(outlet)}
</div>
</body>
</html>
"""


def render_ukrvisti_home(outlet: dict, arts: list[Article]) -> str:
    rows = []
    for a in arts:
        rubric, _ = ukrvisti_rubric(a)
        rows.append(
            f"""    <tr>
      <td class="time">{ukrvisti_date(a.published)}</td>
      <td class="rubric">{esc(rubric)}</td>
      <td class="title"><a href="{a.path}">{esc(a.title)}</a><div class="annot">{esc(a.lead)}</div></td>
    </tr>"""
        )
    rows_html = "\n".join(rows)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" lang="uk" xml:lang="uk">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{esc(outlet["name"])} | Національна служба новин</title>
<link rel="canonical" href="{BASE}/ukrvisti/" />
<meta property="og:title" content="{esc(outlet["name"])}" />
<link rel="alternate" type="application/atom+xml" title="{esc(outlet["name"])}" href="{BASE}/ukrvisti/atom.xml" />
</head>
<body>
<div id="wrapper">
{ukrvisti_top(outlet)}
<h2 class="block-title">Стрічка новин</h2>
<table class="news-list" width="100%">
{rows_html}
</table>
{ukrvisti_bottom(outlet)}
</div>
</body>
</html>
"""


def feed_ukrvisti(outlet: dict, arts: list[Article]) -> str:
    entries = []
    for a in arts:
        authors = "".join(f"\n    <author><name>{xesc(n)}</name></author>" for n in a.authors)
        rubric, _ = ukrvisti_rubric(a)
        entries.append(
            f"""  <entry>
    <title>{xesc(a.title)}</title>
    <link rel="alternate" type="text/html" href="{a.url}"/>
    <link rel="enclosure" type="image/jpeg" href="{a.image_url}"/>
    <id>tag:ukrvisti.example,{a.published:%Y-%m-%d}:{a.number}</id>
    <published>{iso(a.published)}</published>
    <updated>{iso(a.updated or a.published)}</updated>{authors}
    <category term="{xesc(rubric)}"/>
    <summary type="text">{xesc(a.lead)}</summary>
  </entry>"""
        )
    last = max((a.updated or a.published) for a in arts)
    entries_xml = "\n".join(entries)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="uk">
  <title>{xesc(outlet["name"])} — стрічка новин</title>
  <subtitle>Національна служба новин</subtitle>
  <id>tag:ukrvisti.example,2025:feed</id>
  <link rel="self" type="application/atom+xml" href="{BASE}/ukrvisti/atom.xml"/>
  <link rel="alternate" type="text/html" href="{BASE}/ukrvisti/"/>
  <updated>{iso(last)}</updated>
  <author><name>{xesc(outlet["name"])}</name></author>
  <rights>© 2002–2025 {xesc(outlet["name"])}</rights>
{entries_xml}
</feed>
"""


# --------------------------------------------------------------------------------------
# ledger: English-language custom CMS, JSON-LD rich
# --------------------------------------------------------------------------------------

LEDGER_NAV = [
    ("Ukraine", "/ledger/ukraine/"),
    ("War", "/ledger/war/"),
    ("Politics", "/ledger/politics/"),
    ("Business", "/ledger/business/"),
    ("World", "/ledger/world/"),
    ("Opinion", "/ledger/opinion/"),
]


def ledger_byline(authors: list[str]) -> str:
    links = [f'<a rel="author" href="/ledger/authors/{translit_slug(n)}/">{esc(n)}</a>' for n in authors]
    if len(links) == 1:
        return links[0]
    return ", ".join(links[:-1]) + " and " + links[-1]


def ledger_header(outlet: dict) -> str:
    nav = "\n".join(f'      <a href="{h}">{esc(t)}</a>' for t, h in LEDGER_NAV)
    return f"""<a class="skip-link" href="#main">Skip to content</a>
<div class="cookie-consent" id="cookie-consent" data-nosnippet>
  <p>We use cookies to understand how our journalism is read and to keep the site secure. <a href="/ledger/privacy/">Privacy policy</a></p>
  <button type="button" class="cookie-accept">Accept all</button> <button type="button" class="cookie-reject">Reject non-essential</button>
</div>
<header class="site-header">
  <div class="masthead"><a class="brand" href="/ledger/">{esc(outlet["name"])}</a><span class="tagline">Independent news from Ukraine</span></div>
  <nav class="primary-nav" aria-label="Sections">
{nav}
      <a class="btn-subscribe" href="/ledger/membership/">Support us</a>
  </nav>
</header>"""


def ledger_footer(outlet: dict) -> str:
    return f"""<footer class="site-footer">
  <nav class="footer-nav"><a href="/ledger/about/">About us</a> · <a href="/ledger/contact/">Contact</a> · <a href="/ledger/privacy/">Privacy</a> · <a href="/ledger/terms/">Terms</a> · <a href="/ledger/rss.xml">RSS</a></nav>
  <p class="copyright">© 2025 {esc(outlet["name"])}. All rights reserved. Reproduction without permission is prohibited.</p>
</footer>
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"event": "pageview", "template": "story"}});</script>"""


def render_ledger(a: Article, outlet: dict, ctx: Context) -> str:
    paras = body_paragraphs(a, outlet)
    blocks = read_also_blocks(a)
    body = []
    for i, p in enumerate(paras, start=1):
        body.append(f"      <p>{esc(p)}</p>")
        if i in blocks:
            lis = "".join(
                f'<li><a href="{ctx.by_id[t].url}">{esc(ctx.by_id[t].title)}</a></li>' for t in blocks[i]
            )
            body.append(f'      <aside class="related-inline"><h4>Read also:</h4><ul>{lis}</ul></aside>')
    byline = f'\n      <div class="byline">By {ledger_byline(a.authors)}</div>' if a.authors else ""
    updated = (
        f' <span class="updated">Updated <time datetime="{iso(a.updated)}">{en_date(a.updated)}</time></span>'
        if a.updated
        else ""
    )
    share = "\n".join(
        f'        <li><a class="share-{k}" href="{h}" target="_blank" rel="noopener">{v}</a></li>'
        for k, v, h in share_links(a)
    )
    topics = " ".join(f'<a href="/ledger/topics/{translit_slug(t)}/">{esc(t)}</a>' for t in a.tags)
    arts = ctx.outlet_articles[a.outlet]
    popular = "\n".join(f'        <li><a href="{o.path}">{esc(o.title)}</a></li>' for o in most_read(a, arts))
    ld_article = news_article_ld(
        a,
        outlet,
        {
            "articleSection": a.section or "News",
            "keywords": a.tags,
            "articleBody": "\n\n".join(a.paragraphs),
            "isAccessibleForFree": True,
        },
    )
    ld_crumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Home", "item": f"{BASE}/ledger/"},
            {"@type": "ListItem", "position": 2, "name": "News", "item": f"{BASE}/ledger/news/"},
            {"@type": "ListItem", "position": 3, "name": a.title, "item": a.url},
        ],
    }
    head = head_meta(
        a,
        outlet,
        f" | {outlet['name']}",
        extra=f'<meta name="author" content="{esc(", ".join(a.authors))}">' if a.authors else "",
    )
    body_html = "\n".join(body)
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{head}
<link rel="alternate" type="application/rss+xml" title="{esc(outlet["name"])}" href="{BASE}/ledger/rss.xml">
<script type="application/ld+json">
{json_ld(ld_article)}
</script>
<script type="application/ld+json">
{json_ld(ld_crumbs)}
</script>
</head>
<body class="article-page">
{ledger_header(outlet)}
<main id="main" class="layout">
  <article class="story" data-story-id="{stable_int(a.id) % 1000000}">
    <header class="story-header">
      <nav class="breadcrumb" aria-label="Breadcrumb"><ol><li><a href="/ledger/">Home</a></li><li><a href="/ledger/news/">News</a></li><li><a href="/ledger/{translit_slug(a.section or "news")}/">{esc(a.section or "News")}</a></li></ol></nav>
      <h1 class="story-headline">{esc(a.title)}</h1>
      <p class="standfirst">{esc(a.lead)}</p>{byline}
      <div class="dateline"><time datetime="{iso(a.published)}">{en_date(a.published)}</time> (Kyiv time){updated}</div>
      <ul class="share-tools" aria-label="Share">
{share}
        <li><button type="button" class="copy-link">Copy link</button></li>
      </ul>
    </header>
    <div class="story-body">
      <figure class="lead-image"><img src="{a.image_url}" alt="{esc(a.caption)}" width="{IMG_W}" height="{IMG_H}" loading="eager"><figcaption>{esc(a.caption)}</figcaption></figure>
{body_html}
      <div class="newsletter-signup" data-nosnippet><h3>Get the Ledger Morning Brief</h3><form action="/ledger/newsletter/" method="post"><input type="email" name="email" placeholder="Your email"><button>Sign up</button></form><small>Follow us on <a href="https://t.me/kyivledger">Telegram</a> and <a href="https://x.com/kyivledger">X</a>.</small></div>
    </div>
    <footer class="story-footer">
      <div class="topics">Topics: {topics}</div>
      <div class="comments-link"><a href="#comments">Comments ({comments_count(a)})</a></div>
    </footer>
  </article>
  <aside class="rail">
    <section class="most-read">
      <h2>Most read</h2>
      <ol>
{popular}
      </ol>
    </section>
  </aside>
</main>
{ledger_footer(outlet)}
</body>
</html>
"""


def render_ledger_home(outlet: dict, arts: list[Article]) -> str:
    cards = []
    for a in arts:
        by = f'<span class="byline">By {esc(" and ".join(a.authors))}</span> ' if a.authors else ""
        cards.append(
            f"""    <div class="card">
      <a href="{a.path}"><img src="{a.image}" alt="" width="{IMG_W}" height="{IMG_H}"></a>
      <h2 class="card-title"><a href="{a.path}">{esc(a.title)}</a></h2>
      <div class="card-meta">{by}<time datetime="{iso(a.published)}">{en_date(a.published)}</time></div>
      <div class="card-dek">{esc(a.lead)}</div>
    </div>"""
        )
    cards_html = "\n".join(cards)
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{esc(outlet["name"])} — Independent news from Ukraine</title>
<link rel="canonical" href="{BASE}/ledger/">
<meta property="og:type" content="website">
<meta property="og:title" content="{esc(outlet["name"])}">
<link rel="alternate" type="application/rss+xml" title="{esc(outlet["name"])}" href="{BASE}/ledger/rss.xml">
</head>
<body class="home-page">
{ledger_header(outlet)}
<main id="main" class="layout">
  <section class="latest">
    <h1 class="section-title">Latest news</h1>
{cards_html}
  </section>
</main>
{ledger_footer(outlet)}
</body>
</html>
"""


def feed_ledger(outlet: dict, arts: list[Article]) -> str:
    items = []
    for a in arts:
        creators = "".join(f"\n      <dc:creator>{xesc(n)}</dc:creator>" for n in a.authors)
        cats = "".join(f"\n      <category>{xesc(c)}</category>" for c in a.tags)
        items.append(
            f"""    <item>
      <title>{xesc(a.title)}</title>
      <link>{a.url}</link>
      <guid isPermaLink="true">{a.url}</guid>{creators}
      <pubDate>{rfc822(a.published)}</pubDate>{cats}
      <description>{xesc(a.lead)}</description>
      <media:content url="{a.image_url}" medium="image" type="image/jpeg" width="{IMG_W}" height="{IMG_H}">
        <media:description>{xesc(a.caption)}</media:description>
      </media:content>
    </item>"""
        )
    last = max((a.updated or a.published) for a in arts)
    items_xml = "\n".join(items)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>{xesc(outlet["name"])}</title>
    <link>{BASE}/ledger/</link>
    <description>Independent news from Ukraine, in English.</description>
    <language>en-gb</language>
    <lastBuildDate>{rfc822(last)}</lastBuildDate>
    <atom:link href="{BASE}/ledger/rss.xml" rel="self" type="application/rss+xml"/>
{items_xml}
  </channel>
</rss>
"""


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
# build
# --------------------------------------------------------------------------------------


@dataclass
class Context:
    outlets: dict[str, dict]
    articles: list[Article]
    by_id: dict[str, Article]
    outlet_articles: dict[str, list[Article]]  # newest first


RENDERERS = {
    "svoboda": (render_svoboda, render_svoboda_home),
    "pravda": (render_pravda, render_pravda_home),
    "ukrvisti": (render_ukrvisti, render_ukrvisti_home),
    "ledger": (render_ledger, render_ledger_home),
}


def _more_renderers() -> dict:
    from vistka.samples import more_outlets  # imports this module's helpers, so imported late

    return more_outlets.RENDERERS


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


def render_root_index(ctx: Context) -> str:
    items = "\n".join(
        f'  <li><a href="{o["homepage"]}">{esc(o["name"])}</a> ({esc(o["language"])}, {esc(o["feed_type"])} feed: '
        f'<a href="{o["feed"]}">{esc(o["feed"])}</a>)</li>'
        for o in ctx.outlets.values()
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>vistka sample outlets</title></head>
<body>
<h1>vistka sample outlets</h1>
<p>Fictional outlets with texts written for vistka's tests and demo. Not real news sites.</p>
<ul>
{items}
</ul>
</body>
</html>
"""


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

    more = _more_renderers()

    write("index.html", render_root_index(ctx))
    write("robots.txt", "User-agent: *\nAllow: /\n")
    for slug, outlet in outlets.items():
        render_article, render_home, *render_feed = RENDERERS.get(slug) or more[slug]
        charset = outlet.get("charset", "utf-8")
        arts = outlet_articles[slug]
        for a in arts:
            write(a.file_path, render_article(a, outlet, ctx), charset)
            if images:
                render_image(a, out_dir / a.image.lstrip("/"))
                for n, (_, path) in enumerate(gallery_images(a), start=1):
                    render_image(Article(**{**a.__dict__, "id": f"{a.id}-{n}"}), out_dir / path.lstrip("/"))
        write(outlet["homepage"].lstrip("/") + "index.html", render_home(outlet, arts), charset)
        feed_rel = outlet["feed"].lstrip("/")
        if slug == "svoboda":
            write(feed_rel, feed_svoboda(outlet, arts))
        elif slug == "pravda":
            write(feed_rel, feed_pravda(outlet, arts, ctx))
        elif slug == "ukrvisti":
            write(feed_rel, feed_ukrvisti(outlet, arts))
        elif slug == "ledger":
            write(feed_rel, feed_ledger(outlet, arts))
        else:
            write(feed_rel, render_feed[0](outlet, arts), charset)

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
