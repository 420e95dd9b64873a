from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _refresh_editor_group(sender, **kwargs) -> None:
    # Permissions exist only after migrate has run, so the group is refreshed then.
    from vistka.core.editors import ensure_editor_group

    ensure_editor_group()


class CoreConfig(AppConfig):
    name = "vistka.core"
    label = "core"
    verbose_name = "News"

    def ready(self) -> None:
        post_migrate.connect(_refresh_editor_group, sender=self, dispatch_uid="vistka-editor-group")
