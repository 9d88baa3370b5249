"""Indexes for the record search (sync.trace.search) on PostgreSQL.

The search matches text columns with ``UPPER(column::text) LIKE UPPER('%text%')`` (Django's icontains):
trigram GIN indexes on exactly that expression let it find a record among millions without reading
the table. Built CONCURRENTLY (the migration is not atomic) so a deploy does not lock the mirror
tables other apps read. Nothing to do on SQLite, whose tables in this role stay small.
"""
from django.db import migrations

# (table, column) pairs searched anywhere in the text; the columns sync.trace.search.search_columns picks.
TEXT_COLUMNS = (
    ("products", "sku"), ("products", "name"),
    ("composite_items", "sku"), ("composite_items", "name"),
    ("warehouses", "name"), ("price_lists", "name"),
    ("customers", "name"), ("customers", "company_name"),
    ("vendors", "name"), ("vendors", "company_name"),
    ("invoices", "invoice_number"), ("invoices", "customer_name"),
    ("bills", "bill_number"), ("bills", "vendor_name"),
    ("sales_orders", "salesorder_number"), ("sales_orders", "customer_name"),
    ("purchase_orders", "purchaseorder_number"), ("purchase_orders", "vendor_name"),
    ("credit_notes", "creditnote_number"), ("credit_notes", "customer_name"),
    ("customer_payments", "payment_number"), ("customer_payments", "customer_name"),
    ("vendor_payments", "payment_number"), ("vendor_payments", "vendor_name"),
    ("stock_adjustments", "reference_number"), ("transfer_orders", "transfer_order_number"),
)
# Matched whole: a SKU of a composite item (products.sku has its b-tree already).
EXACT_COLUMNS = (("composite_items", "sku"),)


def _name(table: str, column: str, kind: str) -> str:
    return f"{table}_{column}_{kind}"[:63]


def forwards(apps, schema_editor):  # noqa: ANN001, ANN201
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in TEXT_COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{_name(table, column, "trgm")}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)')
    for table, column in EXACT_COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{_name(table, column, "exact")}" ON "{table}" ("{column}")')


def backwards(apps, schema_editor):  # noqa: ANN001, ANN201
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in TEXT_COLUMNS:
        schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{_name(table, column, "trgm")}"')
    for table, column in EXACT_COLUMNS:
        schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{_name(table, column, "exact")}"')


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('sync', '0016_heartbeats'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
