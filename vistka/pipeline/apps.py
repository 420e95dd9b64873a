from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _load_default_glossaries(sender, using="default", **kwargs) -> None:
    # The edition's glossary arrives with the first migrate; later migrates leave editors' entries be.
    from django.db import connections

    from vistka.core.models import GlossaryEntry
    from vistka.pipeline.translate.glossaries import load_default_glossaries

    if GlossaryEntry._meta.db_table in connections[using].introspection.table_names():  # not mid-way back
        load_default_glossaries()


class PipelineConfig(AppConfig):
    """No models of its own: the pipeline is an app so that it wires its own hooks on the model, which
    never imports it (the layer contracts in pyproject.toml)."""

    name = "vistka.pipeline"
    label = "pipeline"
    verbose_name = "Pipeline"

    def ready(self) -> None:
        # post_migrate is sent for apps with models: the glossary follows the model app's migrations.
        post_migrate.connect(_load_default_glossaries, sender=apps.get_app_config("core"),
                             dispatch_uid="vistka-glossaries")
        from vistka.pipeline.stories import grouping

        grouping.connect()  # every worker's story index follows article changes
