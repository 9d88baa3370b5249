"""The last compare as the compare page shows it: one row for every entity the registry knows, each
compared one with a status that says what its recommendation says, each other one with why it is
not in this report; and whether "Carry out" has anything to do."""
from __future__ import annotations

from typing import Any

from sync.compare.recommend import NO_SYNC_NEEDED, RECONCILIATION
from sync.compare.targets import DEFAULT_ENTITIES, valid_names
from sync.models import RunStatus

# What a recommendation's action means for the entity's row (any other action is a pull or a download
# that "Carry out" runs).
IN_SYNC, TO_SYNC, REVIEW, FAILED, NOT_COMPARED = "in sync", "to sync", "review", "failed", "not compared"


def _status(comparison: dict[str, Any], rec: dict[str, Any] | None) -> str:
    if comparison.get("error"):
        return FAILED
    if rec is None:  # a report written before each entity had its recommendation
        return IN_SYNC if comparison.get("difference") == 0 else TO_SYNC
    action = rec.get("action")
    return IN_SYNC if action == NO_SYNC_NEEDED else REVIEW if action == RECONCILIATION else TO_SYNC


def _why_not(report: dict[str, Any]) -> tuple[str, str]:
    """Why an entity the registry knows has no row in this report: (in full, for one row)."""
    if report["status"] == RunStatus.DEFERRED:
        why = "not reached: Zoho's limits cut this compare short"
        return why, why
    if report["status"] == RunStatus.FAILED:
        why = f"not reached: the compare failed ({report['error'] or 'no reason recorded'})"
        return why, why
    if report["mode"] == "deep":
        why = "not asked for: this compare was limited to some entities"
        return why, why
    return (f"a quick compare counts only {', '.join(DEFAULT_ENTITIES)}; a deep compare covers every entity",
            "not in a quick compare: Deep compare covers it")


def compare_rows(report: dict[str, Any]) -> dict[str, Any]:
    """Rows for every entity (registry order, then any name the report has that the registry no longer
    does), the recommendations that call for something, and what "Carry out" would do."""
    compared = {c["entity"]: c for c in report["comparisons"] if isinstance(c, dict) and c.get("entity")}
    recs = {r["entity"]: r for r in report["recommendations"] if isinstance(r, dict) and r.get("entity")}
    why_not, why_not_row = _why_not(report)
    rows = []
    for name in [*valid_names(), *(n for n in compared if n not in valid_names())]:
        comparison, rec = compared.get(name), recs.get(name)
        if comparison is None:
            rows.append({"entity": name, "status": NOT_COMPARED, "reason": why_not_row, "compared": False})
            continue
        rows.append({**comparison, "compared": True, "status": _status(comparison, rec),
                     "action": (rec or {}).get("action", ""), "plan": (rec or {}).get("plan", ""),
                     "reason": comparison.get("error") or (rec or {}).get("reason", "")})
    wanted = sorted((r for r in recs.values() if r.get("action") != NO_SYNC_NEEDED),
                    key=lambda r: -int(r.get("priority") or 0))
    to_do = [r for r in wanted if r.get("action") != RECONCILIATION]
    return {"rows": rows, "recommendations": wanted, "to_do": to_do, "why_not": why_not,
            "covered": [r["entity"] for r in rows if r["compared"]],
            "missing": [r["entity"] for r in rows if not r["compared"]]}
