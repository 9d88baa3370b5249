"""Voided and deleted documents, per entity, against the sandbox over real HTTP: a void shows as the
document's status (and is_active false), a deletion as is_active false with deleted_in_zoho_at, the
row and its lines kept; both arrive by a pull and by a webhook, and compare agrees afterwards."""
from __future__ import annotations

import pytest

from sync.compare.run import compare_run
from sync.entities import REGISTRY
from sync.models import AuditEntry
from sync.pipeline.workers import drain_queue
from sync.pull.run import pull_all, pull_entity
from tests.sync.helpers import STORE_NAMES
from tests.webhooks.helpers import SECRET, deliver

pytestmark = pytest.mark.django_db(transaction=True)

# Entities Zoho voids (or cancels), with the status it gives; Zoho's webhook body key of each document.
VOIDS = {"invoices": "void", "bills": "void", "sales_orders": "void", "purchase_orders": "cancelled",
         "credit_notes": "void"}
DELETIONS = ["invoices", "bills", "sales_orders", "purchase_orders", "customer_payments", "vendor_payments",
             "credit_notes", "stock_adjustments", "transfer_orders"]
BODY_KEYS = {"invoices": "invoice", "bills": "bill", "sales_orders": "salesorder",
             "purchase_orders": "purchaseorder", "credit_notes": "creditnote", "customer_payments": "customerpayment",
             "vendor_payments": "vendorpayment", "stock_adjustments": "inventory_adjustment",
             "transfer_orders": "transfer_order"}


@pytest.fixture
def synced(sb, zclient):
    summary = pull_all(client=zclient, full=True)
    assert summary.ok, [(r.entity, r.error) for r in summary.results]
    return summary


def _pick(sb, entity: str, index: int = 0) -> str:
    """A record of the entity that is not voided already."""
    spec = REGISTRY[entity]
    records = [r for r in sb.store.list(STORE_NAMES[entity]) if r.get("status") not in ("void", "cancelled")]
    return str(records[index][spec.id_field])


def _row(entity: str, zoho_id: str):
    spec = REGISTRY[entity]
    return spec.model.objects.get(**{spec.model_id_field: zoho_id})


@pytest.mark.parametrize("entity", list(VOIDS))
def test_a_void_arrives_by_pull_and_by_webhook(sb, zclient, synced, live_server, entity):
    store = STORE_NAMES[entity]
    by_pull, by_hook = _pick(sb, entity, 0), _pick(sb, entity, 1)
    sb.store.edit(store, by_pull, {"status": VOIDS[entity]})
    result = pull_entity(entity=entity, client=zclient)
    assert result.status == "completed" and result.updated == 1, result.as_dict()
    row = _row(entity, by_pull)
    assert (row.status, row.deleted_in_zoho_at) == (VOIDS[entity], None)
    assert row.is_active is (VOIDS[entity] != "void")  # a void is not active; a cancelled order keeps its row live
    assert AuditEntry.objects.filter(entity=entity, zoho_id=by_pull, field="status",
                                     new_value=VOIDS[entity]).exists()

    sb.store.edit(store, by_hook, {"status": VOIDS[entity]})
    status = sb.send_webhook(f"{live_server.url}/api/webhooks/zoho", entity=BODY_KEYS[entity], record_id=by_hook,
                             secret=SECRET)
    assert status == 200
    assert drain_queue().applied == 1
    assert _row(entity, by_hook).status == VOIDS[entity]
    deep = compare_run(entities=[entity], deep=True, client=zclient).comparisons[0]
    assert deep.in_sync, deep.to_dict()


@pytest.mark.parametrize("entity", DELETIONS)
def test_a_deletion_arrives_by_full_pull_and_by_webhook(sb, zclient, synced, live_server, entity):
    store = STORE_NAMES[entity]
    by_pull, by_hook = _pick(sb, entity, 0), _pick(sb, entity, 1)
    kept_lines = _lines(entity, by_pull)

    sb.store.delete(store, by_pull)
    before = compare_run(entities=[entity], deep=True, client=zclient).comparisons[0]
    assert before.missing_in_zoho == [by_pull]  # compare sees it before any pull
    result = pull_entity(entity=entity, full=True, client=zclient)
    assert result.deleted == 1
    row = _row(entity, by_pull)
    assert row.is_active is False and row.deleted_in_zoho_at is not None
    assert _lines(entity, by_pull) == kept_lines  # kept, never dropped
    assert AuditEntry.objects.filter(entity=entity, zoho_id=by_pull, action="delete").count() == 1

    record = sb.store.detail(store, by_hook)
    sb.store.delete(store, by_hook)
    reply = deliver(live_server.url, {BODY_KEYS[entity]: record}, **{"X-Zoho-Event": f"{BODY_KEYS[entity]}.deleted"})
    assert reply.status == 200, reply.data
    drain_queue()
    row = _row(entity, by_hook)
    assert row.is_active is False and row.deleted_in_zoho_at is not None
    after = compare_run(entities=[entity], deep=True, client=zclient).comparisons[0]
    assert after.in_sync, after.to_dict()  # rows marked deleted are settled, not differences


def _lines(entity: str, zoho_id: str) -> int:
    spec = REGISTRY[entity]
    if spec.lines is None:
        return 0
    from django.apps import apps

    model = apps.get_model("sync", spec.lines.model)
    return model.objects.filter(**{f"{spec.lines.parent_field}__{spec.model_id_field}": zoho_id}).count()
