"""Every model has an admin page: staff get 200, anonymous users are sent to log in."""
from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from sync.models import AuditEntry

TDS_MODELS = [model for model in admin.site._registry if model._meta.app_label == "sync"]


def changelist(model: type) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_every_sync_model_is_registered() -> None:
    from django.apps import apps

    missing = [m.__name__ for m in apps.get_app_config("sync").get_models() if m not in admin.site._registry]
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("model", TDS_MODELS, ids=lambda m: m._meta.db_table)
def test_staff_sees_the_changelist(staff_client, model: type) -> None:
    response = staff_client.get(changelist(model))
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", TDS_MODELS, ids=lambda m: m._meta.db_table)
def test_anonymous_is_redirected_to_login(client, model: type) -> None:
    response = client.get(changelist(model))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_audit_entries_cannot_be_changed_or_deleted_in_the_admin(staff_client) -> None:
    entry = AuditEntry.objects.create(entity="items", zoho_id="1", action="update", field="rate", new_value="2")
    change_url = reverse("admin:sync_auditentry_change", args=[entry.pk])
    assert staff_client.get(change_url).status_code == 200  # viewable
    staff_client.post(change_url, {"field": "tampered"})
    assert AuditEntry.objects.get(pk=entry.pk).field == "rate"
    delete_url = reverse("admin:sync_auditentry_delete", args=[entry.pk])
    assert staff_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    add_url = reverse("admin:sync_auditentry_add")
    assert staff_client.get(add_url).status_code == 403


@pytest.mark.django_db
def test_products_export_through_import_export(staff_client) -> None:
    response = staff_client.get(reverse("admin:sync_product_export"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_dashboard_is_staff_only(staff_client) -> None:
    from django.test import Client

    assert Client().get("/tds-admin/").status_code == 302
    assert staff_client.get("/tds-admin/").status_code == 200
