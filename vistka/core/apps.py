from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_save


def _refresh_editor_group(sender, **kwargs) -> None:
    # Permissions exist only after migrate has run, so the group is refreshed then.
    from vistka.core.editors import ensure_editor_group

    ensure_editor_group()


def _load_default_glossaries(sender, using="default", **kwargs) -> None:
    # The edition's glossary arrives with the first migrate; later migrates leave editors' entries be.
    from django.db import connections

    from vistka.core.models import GlossaryEntry
    from vistka.pipeline.translate.glossaries import load_default_glossaries

    if GlossaryEntry._meta.db_table in connections[using].introspection.table_names():  # not mid-way back
        load_default_glossaries()


class CoreConfig(AppConfig):
    name = "vistka.core"
    label = "core"
    verbose_name = "News"

    def ready(self) -> None:
        post_migrate.connect(_refresh_editor_group, sender=self, dispatch_uid="vistka-editor-group")
        post_migrate.connect(_load_default_glossaries, sender=self, dispatch_uid="vistka-glossaries")
        from vistka.core.textclean import clean_before_save

        pre_save.connect(clean_before_save, dispatch_uid="vistka-strip-control-chars")  # NUL & co. never stored
        from vistka.pipeline.stories import grouping

        grouping.connect()  # every worker's story index follows article changes
