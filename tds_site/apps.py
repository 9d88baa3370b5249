from django.apps import AppConfig


class SiteConfig(AppConfig):
    """Project-wide system checks (tds_site/checks.py)."""

    name = "tds_site"
    label = "tds_site"
    verbose_name = "TDS site"

    def ready(self) -> None:
        from tds_site import checks  # noqa: F401 - registers the checks
