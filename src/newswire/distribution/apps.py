from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "newswire.distribution"
    verbose_name = "Distribution"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the correction-notice signal
