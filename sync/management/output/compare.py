"""Text rendering of a compare report in the original report's layout (QUICK SUMMARY, AUTO-SYNC).

Returns lines; the management command writes them. Numbers use thousands
separators and the earlier auto-sync's column widths.
"""
from __future__ import annotations

from sync.compare.report import ActionResult, CompareReport, EntityComparison, Recommendation

# The earlier auto-sync printed the warning sign with one extra space and a one-narrower name column.
_MARKS = {"ok": ("✅ ", 15), "warn": ("⚠️  ", 14), "bad": ("❌ ", 15)}
_UNITS = {"items": "items", "images": "images", "stock": "items"}


def comparison_line(c: EntityComparison) -> str:
    mark, width = _MARKS[c.status]
    line = (
        f"  {mark}{c.entity:<{width}} Zoho: {c.zoho_count:>6,} | Local: {c.local_count:>6,} | "
        f"Diff: {c.difference:>+6,} | Match: {c.match_pct:>5.1f}%"
    )
    if c.deep:
        line += (
            f" | missing-local: {len(c.missing_local):,} | missing-in-Zoho: {len(c.missing_in_zoho):,}"
            f" | stale: {len(c.stale) + len(c.changed):,}"
        )
    if c.error:
        line += f" | error: {c.error}"
    return line


def summary_lines(report: CompareReport) -> list[str]:
    lines = [
        "📊 QUICK SUMMARY" + (" (deep: record by record)" if report.deep else ""),
        f"Health Score: {report.health.score:.1f}/100 ({report.health.band})",
        f"Overall Match: {report.overall_match:.1f}%",
        "",
        "Comparisons:",
    ]
    lines += [comparison_line(c) for c in report.comparisons]
    return lines


def recommendation_lines(report: CompareReport) -> list[str]:
    lines = ["", "📋 RECOMMENDATIONS"]
    for rec in sorted(report.recommendations, key=lambda r: -r.priority):
        lines.append(f"  {rec.entity.upper()}: {rec.action} (priority {rec.priority}/10)")
        lines.append(f"     Reason: {rec.reason}")
    return lines


def api_lines(report: CompareReport) -> list[str]:
    by_endpoint = ", ".join(f"{k}: {v}" for k, v in sorted(report.api_calls_by_endpoint.items()))
    return [
        "",
        f"🔌 API calls for this comparison: {report.api_calls:,}" + (f" ({by_endpoint})" if by_endpoint else ""),
        f"⏱️  {report.duration_seconds:.2f} s total, {report.local_seconds:.2f} s local work",
    ]


def action_header(*, dry_run: bool) -> list[str]:
    if dry_run:
        return ["", "🔄 AUTO-SYNC MODE (DRY RUN) - showing what would be synced; nothing is written"]
    return ["", "🔄 AUTO-SYNC MODE - Syncing differences"]


def action_lines(rec: Recommendation, comparison: EntityComparison | None, result: ActionResult) -> list[str]:
    unit = _UNITS.get(rec.entity, "records")
    diff = comparison.difference if comparison else 0
    lines = [
        "",
        f"📦 {rec.entity.upper()}: {rec.action}",
        f"   Difference: {diff:+,} {unit}",
        f"   Priority: {rec.priority}/10",
    ]
    if result.dry_run:
        lines.append(f"   🧪 Would run: {result.message}")
    elif result.deferred:
        done = f"Synced: {result.synced:,} | " if result.run_id else ""
        lines.append(f"   ⏸️  {done}Deferred by Zoho's limits, resume at {result.resume_at or 'the reset'}: "
                     f"{result.message}")
    elif result.error:
        lines.append(f"   ❌ Failed: {result.error}")
    else:
        mark = "✅" if result.ok else "⚠️"
        lines.append(f"   {mark} Synced: {result.synced:,} | Failed: {result.failed:,} | Skipped: {result.skipped:,}")
    return lines


def review_lines(recs: list[Recommendation]) -> list[str]:
    """RECONCILIATION items are listed for a person, never acted on automatically."""
    lines: list[str] = []
    for rec in recs:
        lines += ["", f"🔎 {rec.entity.upper()}: RECONCILIATION (review, not synced)", f"   Reason: {rec.reason}"]
        if rec.ids:
            shown = ", ".join(rec.ids[:20])
            more = f" … and {len(rec.ids) - 20:,} more" if len(rec.ids) > 20 else ""
            lines.append(f"   Zoho ids: {shown}{more}")
    return lines


def closing_line(results: list[ActionResult], *, dry_run: bool, review: int = 0) -> str:
    if dry_run:
        return "\n🧪 Dry run complete: nothing was written."
    if any(not r.ok for r in results):
        return "\n⚠️  Auto-sync finished with failures (see above and logs/tds_auto_sync.log)."
    deferred = [r for r in results if r.deferred]
    if deferred:
        resume = next((r.resume_at for r in deferred if r.resume_at), "") or "when Zoho's limit resets"
        return (f"\n⏸️  Auto-sync cut short by Zoho's limits: {len(deferred)} action(s) wait; resume at {resume} "
                "(not a failure: the next run goes on from here).")
    if review:
        needs = "entity needs" if review == 1 else "entities need"
        return f"\n⚠️  Auto-sync complete; {review} {needs} review (listed above)."
    if not results:
        return "\n✅ Nothing to sync: Zoho and local agree."
    return "\n✅ Auto-sync complete!"
