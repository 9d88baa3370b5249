"""The one way a task is handed to the django-q2 cluster.

django-q2's ``async_task`` takes some keyword arguments as its own options and never passes them
to the task: ``sync=True`` runs the task at once in the calling process, ``timeout`` or ``group``
change how it is run, ``task_name`` names it. A task parameter with one of those names would be
swallowed silently, so ``task_enqueue`` refuses it (rename the parameter) and passes django-q2's
options only through ``q_options``.
"""
from __future__ import annotations

from typing import Any

# The keyword arguments django-q2 1.x's async_task keeps for itself (its opt_keys, q_options and
# task_name).
RESERVED = frozenset({"hook", "group", "save", "sync", "cached", "ack_failure", "iter_count", "iter_cached",
                      "chain", "broker", "cluster", "timeout", "q_options", "task_name"})


class ReservedKeyword(TypeError):
    """A task keyword argument django-q2 would take as its own option."""


def task_enqueue(func: str, /, *, options: dict[str, Any] | None = None, **kwargs: Any) -> str:
    """Queue ``func`` (a dotted path) with ``kwargs`` for the task; ``options`` are django-q2's
    (task_name, group, timeout, hook, ...). Returns the task id."""
    clash = sorted(RESERVED & kwargs.keys())
    if clash:
        raise ReservedKeyword(f"{func}: {', '.join(clash)} would be taken by django-q2 as its own option "
                              f"and never reach the task; rename the parameter")
    unknown = sorted(set(options or ()) - RESERVED)
    if unknown:
        raise ReservedKeyword(f"{func}: {', '.join(unknown)} is not a django-q2 option")
    from django_q import tasks  # looked up at call time: tests replace async_task

    return tasks.async_task(func, q_options=dict(options or {}), **kwargs)
