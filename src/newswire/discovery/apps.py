from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "newswire.discovery"
    verbose_name = "Discovery (partners' feeds and sitemaps newswire reads)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)
