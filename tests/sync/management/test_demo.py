"""tds_demo on a small sandbox: every pass runs, changes arrive, deletions are found."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from sync.models import Product

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_runs_every_step(settings):
    for name in ("ZOHO_SANDBOX", "ZOHO_SANDBOX_URL", "ZOHO_ACCOUNTS_URL", "ZOHO_RATE_LIMIT_PER_MINUTE",
                 "ZOHO_CLIENT_ID", "ZOHO_CLIENT_SECRET", "ZOHO_REFRESH_TOKEN", "ZOHO_ORGANIZATION_ID"):
        setattr(settings, name, getattr(settings, name))  # restored after the test
    out, err = io.StringIO(), io.StringIO()
    call_command("tds_demo", "--items", "60", stdout=out, stderr=err)
    text = out.getvalue()
    assert "first load (full sync of every entity)" in text and "incremental sync" in text
    assert "compare before the first sync" in text and "re-run" not in text
    assert "created=" not in err.getvalue()  # each entity's result once: the log line, not a second print
    assert "unit_price" in text  # a price edit seen in the audit trail
    assert "would take at least" in text and "/tds-admin/" in text
    assert text.count("📊 QUICK SUMMARY") == 3  # before, after the changes, at the end
    assert "Health Score: 100.0/100 (EXCELLENT)" in text[text.index("compare again"):]
    assert "product images (with WebP thumbnails)" in text and "product images again" in text
    lines = text[text.index("lines mirrored"):].splitlines()[1:10]
    counts = {line.split()[0]: int(line.split()[1].replace(",", "")) for line in lines}
    assert set(counts) >= {"credit_note_lines", "stock_adjustment_lines", "transfer_order_lines",
                           "composite_item_components", "invoice_lines"}
    assert all(counts[table] > 0 for table in counts), counts
    full_pass = text[text.index("full pass (finds deletions)"):].splitlines()
    items_line = next(line for line in full_pass if line.strip().startswith("items"))
    assert items_line.split()[7] == "2"  # the two deleted items
    assert Product.objects.filter(deleted_in_zoho_at__isnull=False).count() == 2
    assert Product.objects.filter(name="Demo item created in Zoho").exists()


def test_a_second_demo_on_the_same_database_says_it_is_a_re_run(settings):
    for name in ("ZOHO_SANDBOX", "ZOHO_SANDBOX_URL", "ZOHO_ACCOUNTS_URL", "ZOHO_RATE_LIMIT_PER_MINUTE",
                 "ZOHO_CLIENT_ID", "ZOHO_CLIENT_SECRET", "ZOHO_REFRESH_TOKEN", "ZOHO_ORGANIZATION_ID"):
        setattr(settings, name, getattr(settings, name))  # restored after the test
    call_command("tds_demo", "--items", "30", stdout=io.StringIO(), stderr=io.StringIO())
    out = io.StringIO()
    call_command("tds_demo", "--items", "30", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "already holds 31 products from an earlier run: this is a re-run, not a first load" in text
    assert "first load (full sync" not in text and "before the first sync" not in text
    assert "full sync of every entity (re-run over the earlier data)" in text
    assert "compare before this run's sync" in text and "bash scripts/sandbox" in text
