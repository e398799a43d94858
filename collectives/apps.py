from django.apps import AppConfig


class CollectivesConfig(AppConfig):
    name = "collectives"
    verbose_name = "Personnes et collectifs"
