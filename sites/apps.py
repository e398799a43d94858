from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "sites"
    verbose_name = "Sites et vagues"

    def ready(self):
        from . import progress

        progress.connect(self)
