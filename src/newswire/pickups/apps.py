from django.apps import AppConfig


class PickupsConfig(AppConfig):
    name = "newswire.pickups"
    verbose_name = "Pickups"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)
