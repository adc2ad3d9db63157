from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "newswire.cms"
    label = "cms"
    verbose_name = "Story sources (the newsroom's CMS)"
    default_auto_field = "django.db.models.BigAutoField"
