from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_migrate, post_save


class SyncConfig(AppConfig):
    name = "sync"
    verbose_name = "TDS sync"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sync import checks  # noqa: F401 - registers the entity registry's start-up check
        from sync.api.tokens import tokens_cache_connect
        from sync.config import config_clear_cache
        from sync.config.access import operators_group_ensure
        from sync.models.readable import readable_loaders_install, readable_sqlite_converters
        from sync.schedules import rewrite_on_configuration_change, write_schedules_after_migrate

        # A revoked token or a changed user leaves the API's token cache at once.
        tokens_cache_connect()
        # Whatever a column holds reads back (a time past year 9999, say), so no row stops a page or a worker.
        connection_created.connect(readable_loaders_install, dispatch_uid="tds-readable-loaders")
        readable_sqlite_converters()

        # The default django-q2 schedules exist as soon as the database does, and follow
        # the run-time tunables in tds_configuration.
        post_migrate.connect(write_schedules_after_migrate, sender=self, dispatch_uid="tds-default-schedules")
        # The group whose members may change the operators' tunables (sync/config/access.py).
        post_migrate.connect(operators_group_ensure, sender=self, dispatch_uid="tds-operators-group")
        config = self.get_model("Configuration")
        # First forget the cached tunables, so the schedule rewrite below reads the saved value.
        post_save.connect(config_clear_cache, sender=config, dispatch_uid="tds-config-cache-save")
        post_delete.connect(config_clear_cache, sender=config, dispatch_uid="tds-config-cache-delete")
        post_save.connect(rewrite_on_configuration_change, sender=config, dispatch_uid="tds-schedules-config-save")
        post_delete.connect(rewrite_on_configuration_change, sender=config, dispatch_uid="tds-schedules-config-delete")
        self._observability()
        self._heartbeats()

    def _heartbeats(self) -> None:
        """A cluster's worker processes write their heartbeat and the task they run (sync.heartbeats)."""
        from django_q.signals import post_execute_in_worker, post_spawn, pre_execute

        from sync.heartbeats import on_task_end, on_task_start, on_worker_spawn

        post_spawn.connect(on_worker_spawn, dispatch_uid="tds-heartbeat-spawn")
        pre_execute.connect(on_task_start, dispatch_uid="tds-heartbeat-task-start")
        post_execute_in_worker.connect(on_task_end, dispatch_uid="tds-heartbeat-task-end")

    def _observability(self) -> None:
        """Metrics from the event bus and the Zoho client, the API budget's counting, reserve and check."""
        from sync.budget.guard import reserve_guard
        from sync.budget.plan import budget_check_config
        from sync.budget.usage import usage_flush, usage_on_call
        from sync.events import tds_event
        from sync.metrics import points
        from sync.metrics.receivers import on_event
        from sync.tunables import config_check_add
        from zoho import hooks

        tds_event.connect(on_event, dispatch_uid="tds-metrics-events")
        hooks.hooks_add(before=reserve_guard, after=usage_on_call)
        if usage_flush not in points.flushers:
            points.flushers.append(usage_flush)
        config_check_add(budget_check_config)
