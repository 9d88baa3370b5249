"""Every name in the entity registry is reachable everywhere it should be: webhook, queue,
compare, command line and API names; an incomplete entry stops the service at start-up."""
from __future__ import annotations

import dataclasses

import pytest
from django.core.management import call_command

from sync import entities
from sync.checks import check_registry, registry_problems
from sync.compare.targets import resolve_names, target_for
from sync.entities import DERIVED, REGISTRY, all_specs, webhook_vocabulary
from sync.models import DeadLetter, SyncQueueItem
from sync.pipeline.kick import entity_priorities
from sync.pipeline.workers import drain_queue
from tests.webhooks.factories import store_event
from zoho.webhooks import parse_event

NAMES = [spec.name for spec in all_specs()]
# Zoho sends no webhook when an item's image changes; the image sync finds those.
NO_WEBHOOK = {"images"}


def _record(entity: str, id_field: str = "") -> dict:
    id_field = id_field or webhook_vocabulary().id_field_for(entity)
    return {id_field: "1", "last_modified_time": "2025-11-18T02:02:51+0300"}


@pytest.mark.parametrize("name", sorted(set(NAMES) - NO_WEBHOOK))
def test_every_entity_zoho_sends_webhooks_for_is_reachable_by_webhook(name):
    vocabulary = webhook_vocabulary()
    spec = entities.spec_for(name)
    parsed = {parse_event({key: _record(name, id_field)}, vocabulary=vocabulary).entity
              for key, id_field in getattr(spec, "webhook_keys", {}).items()}
    parsed |= {parse_event({vocabulary.body_key_for(name): _record(name)}, vocabulary=vocabulary, route=route).entity
               for route in spec.webhook_routes}
    assert parsed == {name}


def test_a_contact_body_is_a_customer_or_a_vendor_by_its_contact_type():
    vocabulary = webhook_vocabulary()
    assert parse_event({"contact": {"contact_id": "1", "contact_type": "vendor"}}, vocabulary=vocabulary).entity == \
        "vendors"
    assert parse_event({"contact": {"contact_id": "1"}}, vocabulary=vocabulary).entity == "customers"


def test_the_webhook_vocabulary_names_only_registry_entities():
    vocabulary = webhook_vocabulary()
    assert {key.entity for key in vocabulary.body_keys.values()} <= set(REGISTRY)
    assert {e for group in vocabulary.routes.values() for e in group} <= set(NAMES)
    assert {e for group in vocabulary.routes.values() for e in group} | {k.entity for k in vocabulary.body_keys.values()
                                                                        } == set(NAMES) - NO_WEBHOOK


@pytest.mark.django_db
def test_every_entity_is_reachable_by_queue_and_applied_by_the_worker():
    assert set(entity_priorities()) == set(NAMES)
    for n, name in enumerate(NAMES):
        store_event(name, f"{900 + n}")
    result = drain_queue(batch_size=100)
    assert not DeadLetter.objects.exists(), list(DeadLetter.objects.values_list("entity", "error_message"))
    assert result.applied == len(NAMES)
    done = dict(SyncQueueItem.objects.values_list("entity", "status"))
    assert done == {name: "completed" for name in NAMES}
    for n, name in enumerate(NAMES):
        spec = REGISTRY[entities.spec_for(name).reads]
        assert spec.model.objects.filter(**{spec.model_id_field: f"{900 + n}"}).exists(), name


def test_orders_and_invoices_come_before_products_before_stock_before_images():
    p = entities.queue_urgencies()
    assert max(p["sales_orders"], p["invoices"]) < p["items"] < p["stock"] < p["images"]


@pytest.mark.parametrize("name", NAMES)
def test_every_entity_is_a_compare_target(name):
    target = target_for(name)
    assert target.entity == name
    assert target.kind == (name if name in DERIVED else "records")
    assert resolve_names([name]) == [name]
    assert name in resolve_names(["all"])


@pytest.mark.parametrize("name", NAMES)
def test_tds_sync_accepts_every_entity(name, monkeypatch):
    from sync.management.commands import tds_sync
    from sync.pull import run

    asked = []
    monkeypatch.setattr(tds_sync, "_client", lambda: None)
    monkeypatch.setattr(run, "pull_all", lambda *, entities, **kw: asked.append(entities) or run.PullSummary())
    call_command("tds_sync", "--entities", name)
    assert asked == [[name]]


def test_canonical_accepts_every_name_and_alias():
    for name in NAMES:
        assert entities.canonical(name) == name
        assert entities.canonical(f" {name.upper()} ") == name
    for alias, name in entities.ALIASES.items():
        assert entities.canonical(alias) == name


# --- the start-up check ------------------------------------------------------------------------


def test_the_registry_passes_its_start_up_check():
    assert check_registry() == []


def _broken(name: str, **changes: object) -> list:
    specs = [dataclasses.replace(spec, **changes) if spec.name == name else spec for spec in all_specs()]
    return [error.msg for error in check_registry(specs=specs)]


@pytest.mark.parametrize(("name", "changes", "message"), [
    ("invoices", {"queue_urgency": 0}, "'invoices' has no queue urgency"),
    ("stock", {"queue_urgency": 11}, "'stock' has no queue urgency"),
    ("bills", {"depends_on": ("vendorz",)}, "'bills' depends on unknown entity 'vendorz'"),
    ("bills", {"model_name": "Bil"}, "'bills' names model 'Bil', which does not exist"),
    ("bills", {"webhook_keys": {"invoice": "invoice_id"}}, "webhook body key 'invoice' belongs to both"),
    ("vendors", {"webhook_claims": ("kontakt", "contact_type", "vendor")}, "claims webhook body key 'kontakt'"),
    ("images", {"reads": "pictures"}, "'images' reads 'pictures', which is not a pulled entity"),
    ("images", {"runner": "sync.pull.derived.nothing"}, "runner 'sync.pull.derived.nothing' cannot be imported"),
    ("credit_notes", {"cursor_field": "last_modified_time"},
     "'credit_notes' would send 'last_modified_time', which Zoho does not document for /creditnotes"),
    ("customers", {"params": {"contact_type": "customer"}}, "'customers' would send 'contact_type'"),
    ("bills", {"sort_desc_stop": True}, "last_modified_time is not a documented sort column"),
    ("items", {"documented": frozenset({"page", "per_page"})}, "'items' would send 'last_modified_time'"),
    ("stock", {"compare": "sync.compare.run.nothing"}, "compare 'sync.compare.run.nothing' cannot be imported"),
    ("stock", {"recommend": "sync.compare.recommend.x"}, "recommend 'sync.compare.recommend.x' cannot be imported"),
    ("images", {"run_type": "pictures"}, "'images' run type 'pictures' is not a RunType"),
])
def test_an_incomplete_spec_fails_the_start_up_check(name, changes, message):
    errors = _broken(name, **changes)
    assert any(message in error for error in errors), errors


def test_a_derived_spec_of_an_unlisted_entity_is_refused():
    derived = dataclasses.replace(entities.DERIVED["stock"], name="x")
    assert registry_problems([derived]) == ["'x' reads 'items', which is not a pulled entity"]
    assert registry_problems([REGISTRY["warehouses"], REGISTRY["items"], derived]) == []


def test_the_check_is_registered_with_django():
    from django.core import checks

    ids = {error.id for error in checks.run_checks()}
    assert "tds.E010" not in ids
    entities.REGISTRY["spaceships"] = dataclasses.replace(REGISTRY["bills"], name="spaceships", queue_urgency=0)
    try:
        assert "tds.E010" in {error.id for error in checks.run_checks()}
    finally:
        del entities.REGISTRY["spaceships"]
