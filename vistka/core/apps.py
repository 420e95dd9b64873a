from django.apps import AppConfig
from django.db.models.signals import pre_save


class CoreConfig(AppConfig):
    """The data model. It wires only what keeps its own rows sound; the pipeline (vistka/pipeline/apps.py)
    and the editor's desk (vistka/desk/apps.py) wire their own hooks, so the model imports neither."""

    name = "vistka.core"
    label = "core"
    verbose_name = "News"

    def ready(self) -> None:
        from vistka.core.textclean import clean_before_save

        pre_save.connect(clean_before_save, dispatch_uid="vistka-strip-control-chars")  # NUL & co. never stored
