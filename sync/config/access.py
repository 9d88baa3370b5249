"""Who may change which run-time tunable, and the audit entry every change leaves.

A superuser may change every tunable. A tunable declared for OPERATORS may also be changed by a
member of the ``TDS operators`` group or a user holding the ``sync.change_configuration``
permission (the group is created after migrate holding it and the configuration's add, delete and
view permissions: an admin only adds people to it). Everyone else on the staff reads the values.

A change (set, or reset to the environment's value) is one row of the immutable audit trail:
entity ``configuration``, the key as the record id, field ``value``, the value in force before
and after, where it was made (``dashboard``, ``admin``, ``code``) and who made it.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from sync.tunables import OPERATORS, TUNABLES, Tunable, named
from sync.upsert.audit import AuditContext, audit_write

OPERATORS_GROUP = "TDS operators"
CHANGE_PERMISSION = "sync.change_configuration"
AUDIT_ENTITY = "configuration"


class ConfigAccessDenied(PermissionDenied):
    """This user may not change this tunable; the message says who may."""


def config_may_change(user: Any, key: str) -> bool:
    if not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True  # every tunable, and removing a row of an undeclared key
    tunable = TUNABLES.get(key)
    return tunable is not None and tunable.access == OPERATORS and is_operator(user)


def config_changeable(user: Any) -> set[str]:
    """Every key ``user`` may change (one look at the user's groups, for a page listing them all)."""
    if not getattr(user, "is_active", False):
        return set()
    if user.is_superuser:
        return set(TUNABLES)
    operator = is_operator(user)
    return {key for key, tunable in TUNABLES.items() if operator and tunable.access == OPERATORS}


def is_operator(user: Any) -> bool:
    return bool(user.has_perm(CHANGE_PERMISSION) or user.groups.filter(name=OPERATORS_GROUP).exists())


def config_access_require(user: Any, key: str) -> None:
    if not config_may_change(user, key):
        name = named(key)
        raise ConfigAccessDenied(f"{name} not changed: {who_may_change(TUNABLES.get(key))}; "
                                 f"{user.get_username()} may only read it.")


def who_may_change(tunable: Tunable | None) -> str:
    if tunable is not None and tunable.access == OPERATORS:
        return f"a superuser or a member of the “{OPERATORS_GROUP}” group may change it"
    return "only a superuser may change it"


def config_audit(*, key: str, action: str, old: Any, new: Any, actor: str, source: str) -> None:
    """One append-only entry in tds_audit_trail for a change of ``key``."""
    ctx = AuditContext(entity=AUDIT_ENTITY, source=source, actor=actor)
    audit_write([ctx.entry(key, action, "value", old, new)])


def operators_group_ensure(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver: the operators group exists and holds the model permissions of
    tds_configuration (add, change, delete and view: the admin then narrows them per key)."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    create_permissions(sender, verbosity=0, using=using)  # the sync app's own permissions, first
    group, _ = Group.objects.using(using).get_or_create(name=OPERATORS_GROUP)
    perms = Permission.objects.using(using).filter(content_type__app_label="sync",
                                                  codename__endswith="_configuration")
    group.permissions.add(*perms)
