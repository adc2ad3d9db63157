from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "newswire.partners"
    verbose_name = "Partner program"
    default_auto_field = "django.db.models.BigAutoField"
