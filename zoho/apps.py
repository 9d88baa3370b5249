from django.apps import AppConfig


class ZohoConfig(AppConfig):
    name = "zoho"
    verbose_name = "Zoho"
