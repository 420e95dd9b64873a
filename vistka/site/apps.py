from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "vistka.site"
    label = "site_pages"
    verbose_name = "Reader's site"

    def ready(self) -> None:
        from vistka.site import changes

        changes.connect()
