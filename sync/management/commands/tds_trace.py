"""manage.py tds_trace ENTITY ZOHO_ID [--as-of TIME] [--compare] [--apply [--wait S]] [--json]

One record's trace: the mirror row, its audit timeline, the events and queue items that carried it,
the runs that wrote it and its open dead letters. --compare fetches it from Zoho (one API call) and
lists the differences; --apply sends Zoho's version through the inbox and waits for the workers.
"""
from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sync.models import InboxEvent
from sync.trace.compare import record_compare, record_refetch_apply
from sync.trace.record import TraceError, parse_as_of, record_trace

TIMELINE_SHOWN = 20


def _one_line(value: Any) -> str:
    return " ".join(str("" if value is None else value).split())[:120]


class Command(BaseCommand):
    help = "Trace one mirrored record: row, audit timeline, events, runs, dead letters; compare with Zoho."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("entity", help="entity name, e.g. items, invoices, customers")
        parser.add_argument("zoho_id", help="the record's Zoho id")
        parser.add_argument("--as-of", dest="as_of", help="also rebuild the record as it was then (ISO 8601)")
        parser.add_argument("--compare", action="store_true", help="fetch it from Zoho (one call) and diff it")
        parser.add_argument("--apply", action="store_true",
                            help="fetch it from Zoho and apply that version through the inbox")
        parser.add_argument("--wait", type=float, default=30.0,
                            help="with --apply: seconds to wait for the workers to apply it (default 30)")
        parser.add_argument("--json", action="store_true", help="print the trace as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            trace = record_trace(options["entity"], options["zoho_id"], as_of=parse_as_of(options["as_of"]))
            if options["apply"]:
                applied = record_refetch_apply(trace["entity"], trace["zoho_id"])
                trace["comparison"] = applied.comparison.as_dict()
                trace["applied"] = self._wait(applied.inbox_event_id, options["wait"])
            elif options["compare"]:
                trace["comparison"] = record_compare(trace["entity"], trace["zoho_id"]).as_dict()
        except TraceError as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(trace, indent=2, default=str))
            return
        self._print(trace)

    def _wait(self, event_id: int | None, seconds: float) -> dict[str, Any]:
        """The stored event's state once the workers settled it, or after ``seconds``."""
        if event_id is None:
            return {"inbox_event_id": None, "status": "duplicate"}
        deadline = time.monotonic() + max(0.0, seconds)
        while True:
            found = InboxEvent.objects.filter(pk=event_id).values("status", "error").first()
            event: dict[str, Any] = dict(found) if found else {}
            settled = event.get("status") in (InboxEvent.Status.PROCESSED, InboxEvent.Status.FAILED,
                                              InboxEvent.Status.REJECTED)
            if settled or time.monotonic() >= deadline:
                return {"inbox_event_id": event_id, "status": event.get("status", "missing"),
                        "error": event.get("error", "")}
            time.sleep(0.5)

    def _print(self, t: dict[str, Any]) -> None:
        out = self.stdout.write
        keep = t["bookkeeping"]
        out(f"{t['entity']} {t['zoho_id']}: {_one_line(t['label'])}")
        out(f"  last modified in Zoho {keep['zoho_last_modified'] or '-'}, last synced {keep['last_synced'] or '-'}"
            f"{'' if keep['is_active'] else ', inactive'}"
            f"{', deleted in Zoho ' + str(keep['deleted_in_zoho_at']) if keep['deleted_in_zoho_at'] else ''}")
        for name, value in t["fields"].items():
            out(f"  {name:<24} {_one_line(value)}")
        for link in t["links"]:
            out(f"  -> {link['field']}: {link['entity']} {link['zoho_id']} {_one_line(link['label'])}")
        if t["lines"]:
            out(f"lines ({len(t['lines'])}):")
            for line in t["lines"]:
                out(f"  {line.get('zoho_line_item_id') or line.get('zoho_pricebook_item_id')} "
                    f"{_one_line(line.get('name', line.get('zoho_item_id', '')))} "
                    f"qty {line.get('quantity', '-')} rate {line.get('rate', '-')}")
        if t["as_of"]:
            self._print_as_of(t["as_of"])
        out(f"timeline ({len(t['timeline'])} audit entries, newest first):")
        for e in t["timeline"][:TIMELINE_SHOWN]:
            origin = f"run {e['run_id'][:8]}" if e["run_id"] else (
                f"event #{e['inbox_event_id']}" if e["inbox_event_id"] else e["source"])
            change = f" {e['field']}: {_one_line(e['old'])} -> {_one_line(e['new'])}" if e["field"] else ""
            out(f"  {e['at']} {e['action']}{change} ({origin})")
        out(f"events ({len(t['events'])}):")
        for e in t["events"]:
            ident = f"#{e['inbox_event_id']}" if e["inbox_event_id"] else f"item {e['queue_item_id']}"
            reason = f": {_one_line(e['reason'])}" if e["reason"] else ""
            out(f"  {e['received_at']} {e['source']} {ident} {e['outcome']}{reason}")
        out(f"runs ({len(t['runs'])}):")
        for r in t["runs"]:
            out(f"  {r['id']} {r['run_type']} {r['entity']} {r['status']} {r['started_at']}")
        out(f"open dead letters ({len(t['dead_letters'])}):")
        for d in t["dead_letters"]:
            out(f"  {d['id']} {d['error_class']} {_one_line(d['error_type'])}: {_one_line(d['error_message'])}")
        if "comparison" in t:
            self._print_comparison(t["comparison"])
        if "applied" in t:
            a = t["applied"]
            if a["status"] == "duplicate":
                out("apply: this version was stored as an event before; nothing new to apply")
            elif a["status"] == InboxEvent.Status.PROCESSED:
                out(f"apply: inbox event {a['inbox_event_id']} applied")
            elif a["status"] in (InboxEvent.Status.FAILED, InboxEvent.Status.REJECTED):
                out(f"apply: inbox event {a['inbox_event_id']} {a['status']}: {_one_line(a['error'])}")
            else:
                out(f"apply: stored as inbox event {a['inbox_event_id']} ({a['status']}); not applied yet: "
                    "is a worker running? (manage.py tds_worker)")

    def _print_as_of(self, a: dict[str, Any]) -> None:
        out = self.stdout.write
        if not a["existed"]:
            out(f"as of {a['at']}: not in the mirror yet")
            return
        out(f"as of {a['at']} ({a['changes_undone']} later change(s) undone"
            f"{', deleted in Zoho then' if a.get('deleted_in_zoho') else ''}):")
        for name, value in a["fields"].items():
            out(f"  {name:<24} {_one_line(value)}")

    def _print_comparison(self, c: dict[str, Any]) -> None:
        out = self.stdout.write
        if c["same"]:
            out("compare: the mirror matches Zoho" + (", lines included" if c["lines_compared"] else ""))
            return
        out(f"compare: {len(c['differences'])} field(s) differ (mirror -> Zoho):")
        for d in c["differences"]:
            out(f"  {d['field']:<24} {_one_line(d['mirror'])} -> {_one_line(d['zoho'])}")
        for kind in ("added", "removed", "changed"):
            for line in c["lines"][kind]:
                fields = ", ".join(f"{d['field']} {_one_line(d['mirror'])} -> {_one_line(d['zoho'])}"
                                   for d in line.get("fields", [])) if kind == "changed" else ""
                out(f"  line {line['key']} {kind}{': ' + fields if fields else ''}")
