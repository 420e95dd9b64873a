"""Templates of the fifth and sixth sample outlets (see README.md):

* slobid -- an old regional CMS served in windows-1251, table layout, no date anywhere but its JSON-LD,
  embedded tweets and videos, "Дивіться також" blocks, a footer with <p> boilerplate;
* dnipro -- a modern CMS (BEM classes), "Читайте також" asides, a paywall teaser whose JSON-LD
  articleBody holds the hidden full text, and a photo story that is mostly photos with captions.
"""

from __future__ import annotations

from vistka.samples.build import (
    BASE,
    IMG_H,
    IMG_W,
    Article,
    Context,
    comments_count,
    esc,
    gallery_images,
    head_meta,
    iso,
    json_ld,
    most_read,
    news_article_ld,
    read_also_blocks,
    rfc822,
    share_links,
    translit_slug,
    xesc,
)

SLOBID_MENU = [("Новини", "/slobid/news/"), ("Харків", "/slobid/kharkiv/"), ("Війна", "/slobid/war/"),
               ("Економіка", "/slobid/economy/"), ("Світ", "/slobid/world/"), ("Архів", "/slobid/archive/")]
DNIPRO_NAV = [("Події", "/dnipro/events/"), ("Війна", "/dnipro/war/"), ("Гроші", "/dnipro/money/"),
              ("Світ", "/dnipro/world/"), ("Фоторепортаж", "/dnipro/photo/"), ("Думки", "/dnipro/opinion/")]


def _with_read_also(a: Article, ctx: Context, paragraphs: list[str], block) -> list[str]:
    """Body lines: paragraphs with read-also blocks and embeds after the paragraph they follow."""
    blocks = read_also_blocks(a)
    embeds: dict[int, list[dict]] = {}
    for embed in a.extra.get("embeds", []):
        embeds.setdefault(int(embed["after"]), []).append(embed)
    lines = []
    for i, text in enumerate(paragraphs, start=1):
        lines.append(f"<p>{esc(text)}</p>")
        lines += [_embed_html(embed) for embed in embeds.get(i, [])]
        lines += [block(ctx.by_id[target]) for target in blocks.get(i, [])]
    return lines


def _embed_html(embed: dict) -> str:
    if embed["kind"] == "tweet":
        return (f'<blockquote class="twitter-tweet" data-lang="uk"><div lang="en" dir="ltr">{esc(embed["text"])}'
                f'</div>&mdash; {esc(embed["who"])} <a href="{embed["url"]}">{esc(embed["date"])}</a></blockquote>'
                '<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>')
    return (f'<div class="video-embed"><iframe width="560" height="315" src="{embed["url"]}" '
            'title="YouTube video player" frameborder="0" allowfullscreen></iframe></div>')


# --------------------------------------------------------------------------------------
# slobid: old regional CMS, windows-1251, date only in JSON-LD
# --------------------------------------------------------------------------------------


def slobid_head(a: Article, outlet: dict) -> str:
    """Deliberately without article:published_time or any visible date: JSON-LD is the only source."""
    return f"""<title>{esc(a.title)} | {esc(outlet["name"])}</title>
<meta name="description" content="{esc(a.lead)}">
<meta name="keywords" content="{esc(", ".join(a.tags))}">
<link rel="canonical" href="{a.url}">
<meta property="og:type" content="article">
<meta property="og:title" content="{esc(a.title)}">
<meta property="og:url" content="{a.url}">
<meta property="og:image" content="{a.image_url}">
<script type="application/ld+json">
{json_ld(news_article_ld(a, outlet))}
</script>"""


def slobid_frame(outlet: dict, title: str, head: str, center: str, left: str = "") -> str:
    menu = " | ".join(f'<a href="{h}">{esc(t)}</a>' for t, h in SLOBID_MENU)
    return f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html lang="uk">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">
{head or f"<title>{esc(title)}</title>"}
<link rel="stylesheet" type="text/css" href="/slobid/css/style.css">
<link rel="alternate" type="application/rss+xml" title="RSS" href="{BASE}/slobid/rss.xml">
</head>
<body bgcolor="#FFFFFF">
<div id="top"><a href="/slobid/"><b class="logo">{esc(outlet["name"])}</b></a> <span class="motto">Газета Слобожанщини з 1995 року</span></div>
<div id="menu">{menu}</div>
<table id="layout" width="100%" cellpadding="4" cellspacing="0"><tr>
<td id="left" width="180" valign="top">{left}
<div class="poll"><b>Опитування</b><br>Чи вистачає у вашому районі укриттів?<form action="/slobid/poll/" method="post"><input type="radio" name="v" value="1"> Так<br><input type="radio" name="v" value="2"> Ні<br><input type="submit" value="Голосувати"></form></div>
</td>
<td id="center" valign="top">
{center}
</td>
<td id="right" width="200" valign="top"><div class="banner"><a href="/slobid/adv/"><b>Реклама в газеті</b> — тел. (057) 700-00-00</a></div></td>
</tr></table>
<div id="bottom"><p>© 1995–2025 «{esc(outlet["name"])}». Усі права захищено. Передрук матеріалів дозволено лише з гіперпосиланням на сайт газети.</p>
<p>Адреса редакції: м. Харків, вул. Сумська, 1. Телефон редакції (057) 700-00-01.</p></div>
</body>
</html>
"""


def render_slobid(a: Article, outlet: dict, ctx: Context) -> str:
    lines = _with_read_also(a, ctx, a.paragraphs, lambda t: (
        f'<div class="also">Дивіться також: <a href="{t.url}">{esc(t.title)}</a></div>'))
    body = "\n".join(lines)
    byline = f'<div class="avtor">Текст: {esc(", ".join(a.authors))}</div>' if a.authors else ""
    share = " ".join(f'<a href="{h}" target="_blank">{v}</a>' for _, v, h in share_links(a))
    others = "\n".join(f'<li><a href="{o.path}">{esc(o.title)}</a></li>'
                       for o in most_read(a, ctx.outlet_articles[a.outlet], 4))
    center = f"""<div id="news-body">
<h1>{esc(a.title)}</h1>
<div class="anons">{esc(a.lead)}</div>
<div class="foto"><img src="{a.image_url}" width="{IMG_W}" height="{IMG_H}" alt=""><br><span class="podpys">{esc(a.caption)}</span></div>
<div class="txt">
{body}
</div>
{byline}
<div class="views">Переглядів: {100 + comments_count(a) * 53} · Коментарів: {comments_count(a)}</div>
<div class="soc">Поділитися: {share}</div>
</div>
<div class="related"><b>Інші новини</b><ul>
{others}
</ul></div>"""
    return slobid_frame(outlet, a.title, slobid_head(a, outlet), center)


def render_slobid_home(outlet: dict, arts: list[Article]) -> str:
    rows = "\n".join(f'<div class="item"><a href="{a.path}"><b>{esc(a.title)}</b></a><br>{esc(a.lead)}</div>'
                     for a in arts)
    return slobid_frame(outlet, f"{outlet['name']} — новини Харкова та Слобожанщини", "", rows)


def feed_slobid(outlet: dict, arts: list[Article]) -> str:
    items = "\n".join(f"""<item>
<title>{xesc(a.title)}</title>
<link>{a.url}</link>
<guid>{a.url}</guid>
<pubDate>{rfc822(a.published)}</pubDate>
<description>{xesc(a.lead)}</description>
</item>""" for a in arts)
    return f"""<?xml version="1.0" encoding="windows-1251"?>
<rss version="2.0">
<channel>
<title>{xesc(outlet["name"])}</title>
<link>{BASE}/slobid/</link>
<description>Новини Харкова та Слобожанщини</description>
<language>uk</language>
{items}
</channel>
</rss>
"""


# --------------------------------------------------------------------------------------
# dnipro: modern CMS, paywall teaser, photo story
# --------------------------------------------------------------------------------------


def dnipro_frame(outlet: dict, head: str, main: str) -> str:
    nav = "".join(f'<li class="nav__item"><a class="nav__link" href="{h}">{esc(t)}</a></li>' for t, h in DNIPRO_NAV)
    return f"""<!doctype html>
<html lang="uk">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{head}
<link rel="alternate" type="application/atom+xml" href="{BASE}/dnipro/atom.xml">
</head>
<body class="page page--article">
<div class="topline"><span class="topline__weather">Дніпро −1°C</span> <span class="topline__rate">USD 42,05 · EUR 43,70</span></div>
<header class="site-header"><a class="site-header__logo" href="/dnipro/">{esc(outlet["name"])}</a><nav class="nav"><ul class="nav__list">{nav}</ul></nav>
<a class="site-header__subscribe" href="/dnipro/subscribe/">Передплата</a></header>
<main class="layout">
{main}
</main>
<footer class="site-footer"><div class="site-footer__about">«{esc(outlet["name"])}» — незалежне видання про Дніпро та Україну.</div>
<div class="site-footer__copy">© 2018–2025. Використання матеріалів — лише з активним посиланням.</div></footer>
</body>
</html>
"""


def _dnipro_authors(a: Article) -> str:
    links = ", ".join(f'<a href="/dnipro/author/{translit_slug(n)}/">{esc(n)}</a>' for n in a.authors)
    return f'<span class="article__author">Автор: {links}</span>' if links else ""


def _dnipro_gallery(a: Article) -> list[str]:
    return [f'<figure class="article__photo"><img src="{BASE}{path}" width="{IMG_W}" height="{IMG_H}" alt="">'
            f"<figcaption>{esc(caption)}</figcaption></figure>" for caption, path in gallery_images(a)]


def render_dnipro(a: Article, outlet: dict, ctx: Context) -> str:
    visible = a.paragraphs[: a.extra["paywall_after"]] if a.extra.get("paywall_after") else a.paragraphs
    lines = _with_read_also(a, ctx, visible, lambda t: (
        '<aside class="see-also"><div class="see-also__label">Читайте також</div>'
        f'<ul><li><a href="{t.url}">{esc(t.title)}</a></li></ul></aside>'))
    gallery = _dnipro_gallery(a)
    if gallery:  # a photo story: a photo after each paragraph, the rest at the end
        lines = [x for pair in zip(lines, gallery, strict=False) for x in pair] + lines[len(gallery):] + gallery[len(lines):]
    extra_ld = {"isAccessibleForFree": not a.extra.get("paywall_after")}
    if a.extra.get("paywall_after"):
        extra_ld["articleBody"] = "\n".join(a.paragraphs)
        extra_ld["hasPart"] = {"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": ".paywall"}
    paywall = ('<div class="paywall"><div class="paywall__title">Далі — лише для передплатників</div>'
               '<p class="paywall__text">Оформіть передплату, щоб читати всі матеріали без обмежень.</p>'
               '<a class="paywall__button" href="/dnipro/subscribe/">Передплатити за 99 грн</a></div>'
               if a.extra.get("paywall_after") else "")
    share = " ".join(f'<a class="share__link share__link--{k}" href="{h}">{v}</a>' for k, v, h in share_links(a))
    tags = " ".join(f'<a class="tag" href="/dnipro/tag/{translit_slug(t)}/">#{esc(t)}</a>' for t in a.tags)
    popular = "".join(f'<li><a href="{o.path}">{esc(o.title)}</a></li>'
                      for o in most_read(a, ctx.outlet_articles[a.outlet], 4))
    body = "\n".join(lines)
    main = f"""<article class="article">
<div class="article__rubric"><a href="/dnipro/events/">{esc(a.section or "Події")}</a></div>
<h1 class="article__title">{esc(a.title)}</h1>
<div class="article__meta">{_dnipro_authors(a)} <time class="article__date" datetime="{iso(a.published)}">{a.published:%d.%m.%Y • %H:%M}</time> <span class="article__views">{comments_count(a) * 97} переглядів</span></div>
<div class="article__lead">{esc(a.lead)}</div>
<figure class="article__cover"><img src="{a.image_url}" width="{IMG_W}" height="{IMG_H}" alt="{esc(a.caption)}"><figcaption>{esc(a.caption)}</figcaption></figure>
<div class="article__text">
{body}
</div>
{paywall}
<div class="article__tags">{tags}</div>
<div class="article__share">Поширити: {share}</div>
<div class="donate">Підтримайте незалежну журналістику Дніпра. <a href="/dnipro/donate/">Підтримати</a></div>
</article>
<aside class="sidebar"><section class="popular"><h2 class="popular__title">Популярне</h2><ol>{popular}</ol></section></aside>"""
    head = head_meta(a, outlet, f" | {outlet['name']}",
                     f'<script type="application/ld+json">\n{json_ld(news_article_ld(a, outlet, extra_ld))}\n</script>')
    return dnipro_frame(outlet, head, main)


def render_dnipro_home(outlet: dict, arts: list[Article]) -> str:
    cards = "\n".join(f'<div class="card"><a class="card__title" href="{a.path}">{esc(a.title)}</a>'
                      f'<div class="card__lead">{esc(a.lead)}</div></div>' for a in arts)
    return dnipro_frame(outlet, f"<title>{esc(outlet['name'])}</title>", cards)


def feed_dnipro(outlet: dict, arts: list[Article]) -> str:
    entries = "\n".join(f"""  <entry>
    <title>{xesc(a.title)}</title>
    <link rel="alternate" type="text/html" href="{a.url}"/>
    <id>{a.url}</id>
    <published>{iso(a.published)}</published>
    <updated>{iso(a.updated or a.published)}</updated>{"".join(f"<author><name>{xesc(n)}</name></author>" for n in a.authors)}
    <summary type="text">{xesc(a.lead)}</summary>
  </entry>""" for a in arts)
    last = max((a.updated or a.published) for a in arts)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="uk">
  <title>{xesc(outlet["name"])}</title>
  <id>{BASE}/dnipro/</id>
  <link rel="self" href="{BASE}/dnipro/atom.xml"/>
  <link rel="alternate" type="text/html" href="{BASE}/dnipro/"/>
  <updated>{iso(last)}</updated>
{entries}
</feed>
"""


RENDERERS = {
    "slobid": (render_slobid, render_slobid_home, feed_slobid),
    "dnipro": (render_dnipro, render_dnipro_home, feed_dnipro),
}
