from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _refresh_editor_group(sender, **kwargs) -> None:
    # Permissions exist only after migrate has run, so the group is refreshed then.
    from vistka.desk.editors import ensure_editor_group

    ensure_editor_group()


class DeskConfig(AppConfig):
    name = "vistka.desk"
    label = "desk"
    verbose_name = "Editor's desk"

    def ready(self) -> None:
        # post_migrate is sent for apps with models: the group follows the model app's migrations.
        post_migrate.connect(_refresh_editor_group, sender=apps.get_app_config("core"),
                             dispatch_uid="vistka-editor-group")
