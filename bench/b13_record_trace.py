"""B13: record search and trace on a year of history — p95 server time on PostgreSQL.

    .venv/bin/python bench/b13_record_trace.py [--requests 200] [--scale 1] [--mirror-scale 1] [--keep] [--no-load]

Creates postgres://postgres@127.0.0.1:5432/tds_bench_trace (or the database named by DATABASE_URL when
it points at PostgreSQL), migrates it, loads the year of history of B10/B11 (bench/history.py) and a
mirror to search: 50,000 products, 20,000 customers, 200,000 invoices with 600,000 lines, and for the
products 500,000 audit entries, 200,000 inbox events and their queue items spread over the year. It
then times, for a logged-in staff user through the full request stack, the search page and the search
API with a common word, a SKU, a document number and a customer name, and the trace page and API of a
product and of an invoice (after 10 warm-ups each), printing p50/p95/max, and a bare view through the same
client as the ceiling. --scale and --mirror-scale load a share of each (the runner's quick run). Dropped at the
end unless --keep.
Goal: p95 <= 100 ms each (the dashboard pages' goal, B11). Baseline of the earlier system: API response 120 ms.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.history import history_load, table_sizes  # noqa: E402
from bench.reads import reads_arguments, reads_measure  # noqa: E402
from bench.result import unprofiled  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tds_bench_trace"
GOAL_MS = 100.0
BASELINE_MS = 120.0
BASE_ID = 4611000000000000  # Zoho-shaped ids: BASE_ID + n

# The mirror's sizes at --mirror-scale 1; a quick run loads a share of each (at least SMALLEST rows).
SIZES = {"products": 50_000, "customers": 20_000, "invoices": 200_000, "audit": 500_000, "events": 200_000}
SMALLEST = 1000

_MIRROR_COLUMNS = "raw, content_hash, is_active, created_at, updated_at, zoho_last_modified, last_synced"
_MIRROR_VALUES = "'{}'::jsonb, md5(g::text), true, now(), now(), now() - make_interval(days => g % 365), now()"


def mirror_sizes(scale: float) -> dict[str, int]:
    return {name: max(SMALLEST, int(count * scale)) for name, count in SIZES.items()}


def mirror_statements(scale: float) -> list[str]:
    n = mirror_sizes(scale)
    products, customers, invoices, audit, events = (n["products"], n["customers"], n["invoices"], n["audit"],
                                                    n["events"])
    # The audit entries and events spread over the year whatever their number.
    audit_step, event_step = f"{31_500_000 / audit:g}", f"{31_400_000 / events:g}"
    return [
        f"""INSERT INTO products ({_MIRROR_COLUMNS}, zoho_item_id, sku, name, name_ar, description, description_ar,
             unit_price, cost_price, stock_quantity, available_stock, unit, brand, manufacturer, category_name,
             item_type, product_type, status, image_name, image_type, image_document_id, image_url, thumbnail_url,
             image_hash, image_source_key)
           SELECT {_MIRROR_VALUES}, ({BASE_ID} + g)::text, 'TSH-' || lpad(g::text, 6, '0'),
                  (ARRAY['Baseus','Anker','Ugreen','Xiaomi','Samsung'])[1 + g % 5] || ' ' ||
                  (ARRAY['cable','charger','speaker','power bank','earbuds','adapter'])[1 + g % 6] || ' #' || g,
                  '', '', '', 10 + g % 90, 5 + g % 40, g % 500, g % 400, 'pcs', '', '', '', 'inventory', 'goods',
                  'active', '', '', '', '', '', '', ''
           FROM generate_series(1, {products}) AS g""",
        f"""INSERT INTO customers ({_MIRROR_COLUMNS}, zoho_contact_id, name, name_ar, company_name, email, phone,
             mobile, payment_terms_label, currency_code, status, outstanding_receivable)
           SELECT {_MIRROR_VALUES}, ({BASE_ID} + 1000000 + g)::text, 'Customer ' || md5(g::text),
                  '', 'Trading Co ' || g, '', '', '', '', 'IQD', 'active', g % 1000
           FROM generate_series(1, {customers}) AS g""",
        f"""INSERT INTO invoices ({_MIRROR_COLUMNS}, zoho_invoice_id, invoice_number, zoho_customer_id, customer_name,
             date, status, currency_code, reference_number, total, balance, customer_id)
           SELECT {_MIRROR_VALUES}, ({BASE_ID} + 2000000 + g)::text, 'INV-' || lpad(g::text, 7, '0'),
                  ({BASE_ID} + 1000000 + 1 + g % {customers})::text, 'Customer ' || md5((1 + g % {customers})::text),
                  (now() - make_interval(days => g % 365))::date, 'sent', 'IQD', '', 100 + g % 900, g % 100,
                  (SELECT id FROM customers ORDER BY id LIMIT 1) + g % {customers}
           FROM generate_series(1, {invoices}) AS g""",
        f"""INSERT INTO invoice_lines (zoho_line_item_id, zoho_item_id, name, sku, quantity, rate, item_total, raw,
             invoice_id, product_id)
           SELECT i.zoho_invoice_id || n, ({BASE_ID} + 1 + (i.id * 7 + n) % {products})::text, 'line ' || n, '',
                  n, 10, 10 * n, '{{}}'::jsonb, i.id, NULL
           FROM invoices i, generate_series(1, 3) AS n""",
        f"""INSERT INTO tds_audit_trail (entity, zoho_id, action, field, old_value, new_value, source, run_id,
             inbox_event_id, correlation_id, created_at, actor)
           SELECT 'items', ({BASE_ID} + 1 + g % {products})::text, 'update', 'unit_price', to_jsonb((g % 100)::text),
                  to_jsonb((g % 100 + 1)::text), 'pull', NULL, NULL, '',
                  now() - make_interval(secs => {audit_step} * ({audit} - g)), ''
           FROM generate_series(1, {audit}) AS g""",
        f"""INSERT INTO tds_inbox_events (source, entity, zoho_id, event_type, payload, signature_valid,
             signature_method, dedupe_key, zoho_last_modified, status, error, correlation_id, received_at, processed_at)
           SELECT 'webhook', 'items', ({BASE_ID} + 1 + g % {products})::text, 'updated', '{{}}'::jsonb, true, 'hmac',
                  'bench-trace:' || g, now() - make_interval(secs => {event_step} * ({events} - g)), 'processed', '',
                  md5(g::text), now() - make_interval(secs => {event_step} * ({events} - g)),
                  now() - make_interval(secs => {event_step} * ({events} - g) - 1)
           FROM generate_series(1, {events}) AS g""",
        """INSERT INTO tds_sync_queue (entity, zoho_id, operation, payload, priority, status, attempts,
             next_attempt_at, locked_by, locked_until, last_error, zoho_last_modified, inbox_event_id, correlation_id,
             created_at, updated_at, completed_at)
           SELECT e.entity, e.zoho_id, 'upsert', '{}'::jsonb, 4, 'completed', 1, NULL, '', NULL, '',
                  e.zoho_last_modified, e.id, e.correlation_id, e.received_at, e.processed_at, e.processed_at
           FROM tds_inbox_events e WHERE e.dedupe_key LIKE 'bench-trace:%'""",
    ]


def mirror_load(scale: float = 1.0) -> float:
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        for statement in mirror_statements(scale):
            cursor.execute(statement)
        # A bulk load leaves the new rows in the trigram indexes' pending lists (GIN fastupdate), which every
        # search would scan; autovacuum flushes them in a running system, VACUUM does it here.
        for table in ("products", "customers", "invoices", "invoice_lines", "tds_audit_trail", "tds_inbox_events",
                      "tds_sync_queue"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("ANALYZE")
    return time.monotonic() - started


def _picked(table: str, wanted: int) -> int:
    """The row numbered ``wanted`` of the mirror, or one four fifths in when a smaller mirror was loaded."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        count = cursor.fetchone()[0]
    return wanted if wanted <= count else max(1, count * 4 // 5)


def _paths() -> dict[str, str]:
    from django.urls import reverse

    n_product, n_invoice = _picked("products", 4242), _picked("invoices", 123456)
    product, invoice = str(BASE_ID + n_product), str(BASE_ID + 2000000 + _picked("invoices", 4242))
    page, api = reverse("dashboard:records"), reverse("api:records")
    return {
        "search page 'cable'": f"{page}?q=cable",
        "search page 'Trading Co 12'": f"{page}?q=Trading+Co+12",
        "search api SKU": f"{api}?q=TSH-{n_product:06d}",
        "search api number": f"{api}?q=INV-{n_invoice:07d}",
        "search api customer": f"{api}?q=Customer+{'c4ca4238a0b9'}",
        "search api zoho id": f"{api}?q={product}",
        "trace page item": reverse("dashboard:record", args=["items", product]),
        "trace page invoice": reverse("dashboard:record", args=["invoices", invoice]),
        "trace api item": reverse("api:record", args=["items", product]),
        "trace api as_of": reverse("api:record", args=["items", product]) + "?as_of=2026-06-01T00:00:00Z",
    }


def _load(args: argparse.Namespace) -> float:
    with unprofiled():
        return history_load(args.scale) + mirror_load(args.mirror_scale)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    reads_arguments(parser)
    parser.add_argument("--mirror-scale", type=float, default=1.0,
                        help=f"share of the mirror to load, at least {SMALLEST:,} rows a table (quick runs: 0.02)")
    args = parser.parse_args()
    ok = reads_measure(args, default_db=DEFAULT_DB, load=lambda: _load(args), paths=_paths,
                       sizes=lambda: {**table_sizes(), **_mirror_sizes()},
                       title=f"B13 record search and trace: {args.requests} requests each, year of history and "
                             "mirror loaded in {load_seconds:.0f} s", label="read", width=30, goal_ms=GOAL_MS,
                       baseline_ms=BASELINE_MS, mirror_scale=args.mirror_scale)
    sys.exit(0 if ok else 1)


def _mirror_sizes() -> dict[str, int]:
    from django.db import connection

    tables = ["products", "customers", "invoices", "invoice_lines"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(%s)", [tables])
        return dict(cursor.fetchall())


if __name__ == "__main__":
    main()
