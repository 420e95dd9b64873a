"""Machine-readable page metadata: schema.org NewsArticle JSON-LD (with `isBasedOn` the original)."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe

from vistka.core.models import Article, LicenceMode
from vistka.core.weburl import http_url

# As Django's json_script does: nothing in the data can close the <script> element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def canonical_url(request: HttpRequest, item: Article) -> str:
    """The address an article page names as rel=canonical. A full-text copy names the outlet's original
    (search engines' rule for syndicated content: the original ranks, not the copy); an excerpt or a
    link is a page of our own and names itself. The outlet's `canonical` setting can fix either."""
    mode = item.source.canonical
    if mode == "auto":
        mode = "original" if item.source.licence_mode == LicenceMode.FULL else "site"
    if mode == "original":
        return item.canonical_url or item.url
    return request.build_absolute_uri(item.get_absolute_url())


def news_article_json_ld(request: HttpRequest, item: Article, display: dict, comment_count: int) -> SafeString:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": display["title"][:110],
        "url": request.build_absolute_uri(item.get_absolute_url()),
        "mainEntityOfPage": request.build_absolute_uri(item.get_absolute_url()),
        "inLanguage": settings.SITE_LANGUAGE if display["translated"] else item.language,
        "datePublished": item.published_at.isoformat() if item.published_at else None,
        "dateModified": (item.updated_at or item.published_at).isoformat() if item.published_at else None,
        "isBasedOn": http_url(item.url),
        "sourceOrganization": {"@type": "NewsMediaOrganization", "name": item.source.name,
                               "url": http_url(item.source.homepage) or http_url(item.url)},
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME,
                      "url": request.build_absolute_uri("/"),
                      "logo": {"@type": "ImageObject", "url": request.build_absolute_uri(static("site/logo.png"))}},
        "commentCount": comment_count,
    }
    if display["translated"]:
        data["translationOfWork"] = {"@type": "NewsArticle", "url": item.url, "inLanguage": item.language}
        data["translator"] = _translator(display)
    if item.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in item.authors]
    if item.image_file:
        data["image"] = [request.build_absolute_uri(f"/media/{item.image_file}")]
    if display["lead"]:
        data["description"] = display["lead"][:300]
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES))


def _translator(display: dict) -> dict:
    """schema.org `translator`: the site's editors, or the machine-translation software."""
    if display.get("provenance") == "editors":
        return {"@type": "Organization", "name": f"{settings.SITE_NAME} editors"}
    model = f" ({display['model_id']})" if display.get("model_id") else ""
    return {"@type": "SoftwareApplication", "name": f"machine translation: {display.get('engine', '')}{model}"}
