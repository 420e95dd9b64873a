from django.conf import settings

from vistka.site.consent import consent_state


def site(request):
    return {
        "site_name": settings.SITE_NAME,
        "site_language": settings.SITE_LANGUAGE,
        "consent": consent_state(request),
        "analytics_script": settings.ANALYTICS_SCRIPT,
    }
