"""Compare steps for ``tds_demo`` (compare, sync, images, compare again, both summaries).

tds_demo keeps its steps in a list (DEMO_STEPS of (name, function(ctx))); these
factories build steps that print the QUICK SUMMARY through ``ctx.say``, e.g.:

    DEMO_STEPS.insert(i, ("compare_before", compare_step("compare after the Zoho changes")))
    DEMO_STEPS.insert(j, ("compare_sync", compare_step("compare and auto-sync", sync=True)))
    DEMO_STEPS.insert(k, ("compare_after", compare_step("compare again")))
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sync.compare.execute import compare_and_sync, for_review
from sync.management.output import compare as render


def compare_step(title: str | Callable[[Any], str], *, sync: bool = False,
                 entities: list[str] | None = None) -> Callable[[Any], None]:
    """``title`` is a text, or a function of the demo context (to say what state the demo found)."""
    def step(ctx: Any) -> None:
        ctx.say(f"\n{title(ctx) if callable(title) else title}:")
        report = compare_and_sync(
            entities=entities, deep=True, sync=sync, trigger="demo", client=getattr(ctx, "client", None),
            on_report=lambda r: _say(ctx, render.summary_lines(r) + render.recommendation_lines(r)
                                     + render.api_lines(r) + (render.action_header(dry_run=False) if sync else [])),
            on_action=lambda rec, c, result: _say(ctx, render.action_lines(rec, c, result)),
        )
        if sync:
            _say(ctx, render.review_lines(for_review(report.recommendations)))
            _say(ctx, [render.closing_line(report.actions, dry_run=False,
                                               review=len(for_review(report.recommendations)))])
        ctx.compare_reports = [*getattr(ctx, "compare_reports", []), report]

    return step


def _say(ctx: Any, lines: list[str]) -> None:
    for line in lines:
        ctx.say(line)
