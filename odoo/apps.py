from django.apps import AppConfig


class OdooConfig(AppConfig):
    name = "odoo"
    verbose_name = "Odoo target"
    default_auto_field = "django.db.models.BigAutoField"
