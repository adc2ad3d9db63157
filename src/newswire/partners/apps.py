from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "newswire.partners"
    verbose_name = "Partner program"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)
