"""manage.py tds_alerts [list [--all]] | ack --id N | resolve --id N | test-notify | --check."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sync.alerts.channels import mail_route, notice_channels
from sync.alerts.evaluate import alert_acknowledge, alert_resolve, alerts_evaluate
from sync.alerts.notify import notice_test
from sync.models import Alert


class Command(BaseCommand):
    help = ("List, acknowledge and resolve alerts; test-notify sends a test notice on every channel and exits 1 "
            "when one fails; --check evaluates the rules once and exits 2 while a critical alert is open (for cron "
            "or a monitoring system).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=("list", "ack", "resolve", "test-notify"),
                            default="list")
        parser.add_argument("--id", dest="alert_id", type=int, help="the alert to acknowledge or resolve")
        parser.add_argument("--all", action="store_true", help="list resolved alerts too")
        parser.add_argument("--limit", type=int, default=50)
        parser.add_argument("--check", action="store_true", help="evaluate once; exit 2 when a critical is open")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            return self._check()
        if options["action"] == "test-notify":
            return self._test_notify()
        if options["action"] in ("ack", "resolve"):
            if not options["alert_id"]:
                raise CommandError(f"{options['action']} needs --id N")
            act = alert_acknowledge if options["action"] == "ack" else alert_resolve
            try:
                alert = act(alert_id=options["alert_id"])
            except Alert.DoesNotExist:
                raise CommandError(f"no alert {options['alert_id']}") from None
            self.stdout.write(f"alert {alert.pk} {alert.code}: {alert.status}")
            return None
        return self._list(options)

    def _list(self, options: dict[str, Any]) -> None:
        alerts = Alert.objects.all() if options["all"] else Alert.objects.exclude(status=Alert.Status.RESOLVED)
        self.stdout.write(f"{'id':>5}  {'opened (UTC)':<19}  {'severity':<8}  {'status':<12}  {'value':>9}  "
                          f"{'threshold':>9}  code: message")
        for alert in alerts.order_by("-created_at", "-id")[: options["limit"]]:
            value = "-" if alert.value is None else f"{alert.value:g}"
            threshold = "-" if alert.threshold is None else f"{alert.threshold:g}"
            self.stdout.write(f"{alert.pk:>5}  {alert.created_at:%Y-%m-%d %H:%M:%S}  {alert.severity:<8}  "
                              f"{alert.status:<12}  {value:>9}  {threshold:>9}  {alert.code}: {alert.message}")
        self.stdout.write(f"{alerts.count()} alert(s){'' if options['all'] else ' open or acknowledged'}")

    def _check(self) -> None:
        outcome = alerts_evaluate()
        for name, error in outcome.failed_rules.items():
            self.stderr.write(f"rule {name} could not be evaluated: {error}")
        live = Alert.objects.exclude(status=Alert.Status.RESOLVED).order_by("-severity", "code")
        for alert in live:
            self.stdout.write(f"{alert.severity.upper()} {alert.code}: {alert.message} [{alert.status}]")
        self.stdout.write(f"opened {len(outcome.opened)}, resolved {len(outcome.resolved)}, "
                          f"{live.count()} live, {outcome.critical_open} critical")
        if outcome.critical_open:
            raise SystemExit(2)

    def _test_notify(self) -> None:
        """One line per channel: sent, refused (the server's reason), failed (no answer) or not configured."""
        recipients, url = notice_channels()
        if recipients:
            self.stdout.write(mail_route())
        deliveries = notice_test()
        if not recipients:
            self.stdout.write("e-mail: not configured (TDS_ALERT_EMAILS is empty)")
        for delivery in deliveries:
            self.stdout.write(delivery.line())
        if not url:
            self.stdout.write("webhook: not configured (TDS_ALERT_WEBHOOK_URL is empty)")
        failed = sum(not d.ok for d in deliveries)
        if failed:
            self.stderr.write(f"{failed} of {len(deliveries)} channel(s) did not take the test notice")
            raise SystemExit(1)
