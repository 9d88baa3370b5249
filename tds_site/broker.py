"""Processes that read the django-q2 broker need the real SECRET_KEY; the others never write to it.

django-q2 signs every task with SECRET_KEY and unpickles what it can verify, so a process that reads
the broker (the cluster, its monitors) with a key it made up would drop every task the web server
queued (BadSignature, the run stays pending), and with a public key it would run whatever anyone
signed. Such a process refuses to start without SECRET_KEY (DEBUG off): the django-q2 commands are
overridden in tds_site/management/commands/ (tds_site comes before django_q in INSTALLED_APPS, so its
commands win), and tds_scheduler asks before running the cluster.

A one-shot command without SECRET_KEY runs on a random key of its own (tds_site/secret_key.py); a task
it signed could be read by no cluster, so ``refuse_unreadable_task`` refuses to queue one (the callers
log it and the schedules pick the work up), except in django-q2's sync mode, which runs the task here.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

from tds_site.secret_key import MISSING, secret_key_missing
from tds_site.startup import refuse


def broker_reader_message(command: str) -> str:
    return (f"{MISSING}: {command} reads the django-q2 broker, whose tasks are signed with it; "
            "give the web server and every cluster the same SECRET_KEY")


def broker_key_required(*, command: str) -> None:
    """One line and exit when this process has no real key to read the broker with."""
    if secret_key_missing():
        refuse(broker_reader_message(command))


class BrokerReader:
    """Mixin for a management command that reads the broker: refuse before handling without a key."""

    def handle(self, *args: Any, **options: Any) -> Any:
        broker_key_required(command=type(self).__module__.rsplit(".", 1)[-1])
        return super().handle(*args, **options)  # type: ignore[misc]


def refuse_unreadable_task(sender: Any, task: dict[str, Any], **kwargs: Any) -> None:
    """django-q2's pre_enqueue: no task leaves a process whose key no cluster shares."""
    if secret_key_missing() and not task.get("sync"):
        raise ImproperlyConfigured(
            f"{MISSING}: task {task.get('name')!r} was not queued, no cluster could read it")
