"""manage.py tds_demo: the whole job on embedded defaults, against the built-in Zoho sandbox.

Migrates, starts the sandbox on a free loopback port (in a background thread), pulls every
entity, lets "Zoho" change a few dozen records (edits, deletes, a new item, a new image),
pulls incrementally and then in full (which finds the deletions), and prints what changed,
the API calls each pass cost and how to open the dashboard.

Rate limit: the sandbox can enforce Zoho's 100 calls/minute, but a first load with thousands
of invoice details would then take 30+ minutes; the demo runs with the limit off (sandbox and
client) and prints the floor time the limit would have imposed instead.

A second run on the same database says so (a re-run over the earlier data, not a first load).
Steps are a list (DEMO_STEPS) of named functions taking the DemoContext. Afterwards the sandbox
is gone: to run the commands by hand against one, start `bash scripts/sandbox`.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.db import connection

from sync.management.output.demo_compare import compare_step
from sync.management.output.sync_progress import Progress, summary_table
from sync.zoho_port import ZohoPort

ZOHO_LIMIT_PER_MINUTE = 100
SANDBOX_CREDENTIALS = {"ZOHO_CLIENT_ID": "sandbox-client", "ZOHO_CLIENT_SECRET": "sandbox-secret",
                       "ZOHO_REFRESH_TOKEN": "sandbox-refresh", "ZOHO_ORGANIZATION_ID": "10234695"}


@dataclass
class DemoContext:
    out: OutputWrapper
    err: OutputWrapper
    items: int
    sandbox: Any = None
    client: ZohoPort | None = None
    passes: dict[str, Any] = field(default_factory=dict)   # pass name -> PullSummary
    changes: list[str] = field(default_factory=list)
    image_calls: int = 0
    rerun: bool = False     # the database already held synced data when the demo started

    def say(self, text: str = "") -> None:
        self.out.write(text)

    def api_calls(self) -> int:
        pulls = sum(r.api_calls for summary in self.passes.values() for r in summary.results)
        return pulls + self.image_calls


def step_migrate(ctx: DemoContext) -> None:
    from sync.models import Product

    call_command("migrate", verbosity=0, interactive=False)
    ctx.say(f"database: {connection.vendor} {connection.settings_dict['NAME']} (migrated)")
    products = Product.objects.count()
    ctx.rerun = products > 0
    if ctx.rerun:
        ctx.say(f"this database already holds {products:,} products from an earlier run: this is a re-run, "
                "not a first load; delete the database file to start from scratch")


def step_sandbox(ctx: DemoContext) -> None:
    from zoho.sandbox import SandboxConfig, SandboxServer

    ctx.sandbox = SandboxServer(SandboxConfig(items=ctx.items, rate_limit_per_minute=0)).start()
    for name, value in {**SANDBOX_CREDENTIALS, "ZOHO_SANDBOX": True, "ZOHO_SANDBOX_URL": ctx.sandbox.url,
                        "ZOHO_ACCOUNTS_URL": ctx.sandbox.url,
                        "ZOHO_RATE_LIMIT_PER_MINUTE": 0}.items():
        setattr(settings, name, value)  # later steps (and their own clients) talk to the sandbox
    for alias in ("default", "shared"):
        if alias in settings.CACHES:
            caches[alias].clear()  # no token from another sandbox or a real Zoho
    from zoho.client import get_client

    ctx.client = get_client()
    ctx.say(f"Zoho sandbox: {ctx.sandbox.url} ({ctx.items:,} items; rate limit off, see the end)")


def _pull(ctx: DemoContext, name: str, *, full: bool) -> None:
    from sync.pull.run import pull_all

    progress = Progress(ctx.err._out)  # type: ignore[arg-type]  # django-stubs omits OutputWrapper._out
    summary = pull_all(full=full, trigger="demo", client=ctx.client, on_result=progress.done, progress=progress)
    ctx.passes[name] = summary
    ctx.say(f"\n{name}: {sum(r.api_calls for r in summary.results)} API calls")
    for line in summary_table(summary.results):
        ctx.say("  " + line)


def step_full_sync(ctx: DemoContext) -> None:
    _pull(ctx, "full sync of every entity (re-run over the earlier data)" if ctx.rerun
          else "first load (full sync of every entity)", full=True)


LINE_TABLES = (("InvoiceLine", "invoice"), ("BillLine", "bill"), ("SalesOrderLine", "sales_order"),
               ("PurchaseOrderLine", "purchase_order"), ("CreditNoteLine", "credit_note"),
               ("StockAdjustmentLine", "stock_adjustment"), ("TransferOrderLine", "transfer_order"),
               ("CompositeItemComponent", "composite_item"), ("PriceListItem", "price_list"))


def step_lines(ctx: DemoContext) -> None:
    """How many lines each document table holds: what other apps read beside the documents."""
    from django.apps import apps

    ctx.say("\nlines mirrored (rows, from how many documents):")
    for name, parent in LINE_TABLES:
        model = apps.get_model("sync", name)
        rows = model.objects.count()
        documents = model.objects.values(parent).distinct().count()
        ctx.say(f"  {model._meta.db_table:<27} {rows:>7,} rows  {documents:>6,} documents")


def step_zoho_changes(ctx: DemoContext) -> None:
    """Change a few dozen records in the sandbox, as users editing Zoho would."""
    store = ctx.sandbox.store
    items = store.ids_of("items")
    for item_id in items[:20]:
        store.edit("items", item_id, {"rate": round(float(store.get("items", item_id)["rate"] or 0) * 1.1, 2)})
    for entity in ("contacts", "invoices", "salesorders", "bills"):
        for record_id in store.ids_of(entity)[:5]:
            store.bump(entity, record_id)
    for item_id in items[-2:]:
        store.delete("items", item_id)
    new_id = store.create("items", {"name": "Demo item created in Zoho"})
    store.change_image(items[20])
    ctx.changes = [f"20 item prices +10 % ({', '.join(items[:2])}, …)",
                   "5 each of contacts, invoices, sales orders, bills edited",
                   f"2 items deleted ({', '.join(items[-2:])})", f"1 item created ({new_id})",
                   f"1 item image replaced ({items[20]})"]
    ctx.say("\nchanges made in Zoho (sandbox):")
    for line in ctx.changes:
        ctx.say(f"  - {line}")


def step_incremental(ctx: DemoContext) -> None:
    _pull(ctx, "incremental sync (from the cursors)", full=False)
    from sync.models import AuditEntry

    run_ids = [r.run_id for r in ctx.passes["incremental sync (from the cursors)"].results if r.run_id]
    changed = AuditEntry.objects.filter(run_id__in=run_ids).exclude(field__in=("", "raw")).order_by("zoho_id")
    sample = [*changed.filter(entity="items")[:6], *changed.exclude(entity="items")[:4]]
    ctx.say("  from the audit trail:")
    for entry in sample:
        ctx.say(f"    {entry.entity} {entry.zoho_id} {entry.action} {entry.field}: "
                f"{entry.old_value!r} -> {entry.new_value!r}")


def step_full_pass(ctx: DemoContext) -> None:
    _pull(ctx, "full pass (finds deletions)", full=True)


def _images(ctx: DemoContext, title: str) -> None:
    from sync.images.run import image_figures, images_sync

    result = image_figures(images_sync(client=ctx.client, trigger="demo"))
    ctx.say(f"\n{title}: {result.downloaded} downloaded, {result.deduplicated} deduplicated, "
            f"{result.no_image} without an image, {result.refused} refused, {result.failed} failed; "
            f"{result.api_calls} API calls in {result.duration:.1f} s")
    ctx.image_calls += result.api_calls


def step_images(ctx: DemoContext) -> None:
    _images(ctx, "product images (with WebP thumbnails)")


def step_images_again(ctx: DemoContext) -> None:
    _images(ctx, "product images again (only what changed is fetched)")


def step_closing(ctx: DemoContext) -> None:
    calls = ctx.api_calls()
    floor = math.ceil(calls / ZOHO_LIMIT_PER_MINUTE)
    ctx.say(f"\nAPI calls in all passes: {calls:,}. At Zoho's {ZOHO_LIMIT_PER_MINUTE} calls/minute they "
            f"would take at least {floor} minute(s); the demo ran with the limit off.")
    ctx.say("\nOpen the dashboard:\n  .venv/bin/python manage.py createsuperuser   (a staff user)\n"
            "  bash scripts/serve    (the sandbox, a worker cluster and the web server; Ctrl-C stops them)\n"
            "  then http://127.0.0.1:8000/tds-admin/")
    ctx.say("\nThe demo's sandbox stops with it. To run the commands by hand, keep one running:\n"
            "  bash scripts/sandbox                       (serves http://127.0.0.1:8765)\n"
            "  ZOHO_SANDBOX=true .venv/bin/python manage.py tds_sync   (in another terminal)")


DemoStep = tuple[str, Callable[[DemoContext], None]]
DEMO_STEPS: list[DemoStep] = [
    ("migrate", step_migrate),
    ("sandbox", step_sandbox),
    ("compare_before", compare_step(lambda ctx: "compare before this run's sync (QUICK SUMMARY)" if ctx.rerun
                                    else "compare before the first sync (QUICK SUMMARY)")),
    ("full_sync", step_full_sync),
    ("lines", step_lines),
    ("images", step_images),
    ("zoho_changes", step_zoho_changes),
    ("compare_changed", compare_step("compare after the Zoho changes")),
    ("incremental", step_incremental),
    ("full_pass", step_full_pass),
    ("images_again", step_images_again),
    ("compare_after", compare_step("compare again (QUICK SUMMARY)")),
    ("closing", step_closing),
]


class Command(BaseCommand):
    help = "Demo on embedded defaults: migrate, start the Zoho sandbox, sync, change Zoho, sync again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--items", type=int, default=2218, help="items in the sandbox (default 2218)")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "sqlite" and not settings.ZOHO_SANDBOX:
            raise CommandError("tds_demo fills the database with sandbox data: run it on the default SQLite "
                               "database or set ZOHO_SANDBOX=true to use this one on purpose")
        if options["items"] < 10:
            raise CommandError("--items must be at least 10")
        ctx = DemoContext(out=self.stdout, err=self.stderr, items=options["items"])
        started = time.monotonic()
        try:
            for name, step in DEMO_STEPS:
                try:
                    step(ctx)
                except CommandError:
                    raise
                except Exception as exc:  # one line, never a traceback
                    raise CommandError(f"demo step {name} failed: {type(exc).__name__}: {exc}") from exc
        finally:
            if ctx.sandbox is not None:
                ctx.sandbox.stop()
        self.stdout.write(f"\ndemo finished in {time.monotonic() - started:.1f} s")
