from django.apps import AppConfig


class PickupsConfig(AppConfig):
    name = "newswire.pickups"
    verbose_name = "Pickups"
    default_auto_field = "django.db.models.BigAutoField"
