from django.apps import AppConfig


class OdooConfig(AppConfig):
    name = "odoo"
    verbose_name = "Odoo target"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from odoo.engine import engine_register

        engine_register()
