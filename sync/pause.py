"""Pause switches: the queue drain and the scheduled tasks stop taking new work while paused.

One row per switch (tds_pause_switches); no row is "running". The drain (the django-q2 task and
``tds_worker``) and every scheduled task run through ``sync.schedules.run_guarded`` read their
switch before starting; what is already running finishes. Housekeeping (the lease reaper) goes on.
"""
from __future__ import annotations

from typing import Any

from django.utils import timezone

from sync.models import PauseSwitch

QUEUE = PauseSwitch.Name.QUEUE
SCHEDULES = PauseSwitch.Name.SCHEDULES


def is_paused(name: str) -> bool:
    return PauseSwitch.objects.filter(name=name, paused=True).exists()


def pause_set(name: str, *, paused: bool, by: str = "") -> PauseSwitch:
    if name not in PauseSwitch.Name.values:
        raise ValueError(f"no pause switch {name!r}; there are {', '.join(PauseSwitch.Name.values)}")
    switch, _ = PauseSwitch.objects.update_or_create(name=name, defaults={
        "paused": paused, "changed_at": timezone.now(), "changed_by": by[:150]})
    return switch


def pause_states() -> list[dict[str, Any]]:
    """Every switch, paused or not, with who changed it last (one query)."""
    rows = {s.name: s for s in PauseSwitch.objects.all()}
    return [{"name": name, "label": label, "paused": bool(rows.get(name) and rows[name].paused),
             "changed_at": rows[name].changed_at if name in rows else None,
             "changed_by": rows[name].changed_by if name in rows else ""}
            for name, label in PauseSwitch.Name.choices]
