from django.apps import AppConfig


class SiteConfig(AppConfig):
    """Project-wide system checks (tds_site/checks.py) and the broker's key guard (tds_site/broker.py)."""

    name = "tds_site"
    label = "tds_site"
    verbose_name = "TDS site"

    def ready(self) -> None:
        from django_q.signals import pre_enqueue

        from tds_site import checks  # noqa: F401 - registers the checks
        from tds_site.broker import refuse_unreadable_task

        pre_enqueue.connect(refuse_unreadable_task, dispatch_uid="tds-unreadable-task")
