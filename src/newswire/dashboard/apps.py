from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "newswire.dashboard"
    verbose_name = "Dashboard"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (answers the lower apps' pages: newswire/events.py)
