from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_default_glossaries(sender, **kwargs) -> None:
    # The edition's glossary arrives with the first migrate; later migrates leave editors' entries be.
    from vistka.pipeline.glossaries import load_default_glossaries

    load_default_glossaries()


class CoreConfig(AppConfig):
    name = "vistka.core"
    label = "core"
    verbose_name = "News"

    def ready(self) -> None:
        post_migrate.connect(_load_default_glossaries, sender=self)
