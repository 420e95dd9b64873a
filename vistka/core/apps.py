from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vistka.core"
    label = "core"
    verbose_name = "News"
