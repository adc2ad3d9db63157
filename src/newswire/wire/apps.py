from django.apps import AppConfig


class WireConfig(AppConfig):
    name = "newswire.wire"
    verbose_name = "Wire"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import cache

        cache.connect()
