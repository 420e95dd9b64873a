"""`{{ value|http_url }}`: an outside URL, or '' when it is not http(s) (see vistka.core.weburl)."""

from django import template

from vistka.core.weburl import http_url as _http_url

register = template.Library()


@register.filter
def http_url(value: object) -> str:
    return _http_url(value)
