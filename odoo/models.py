"""The link between a Zoho item and the Odoo product it is pushed to.

One row per Zoho item that has reached Odoo (created or adopted by SKU). The pushed hash
is the hash of exactly the values last written, so an unchanged item costs no Odoo call.
"""
from __future__ import annotations

from django.db import models


class OdooProductLink(models.Model):
    zoho_item_id = models.CharField(max_length=64, unique=True)
    odoo_template_id = models.PositiveBigIntegerField(db_index=True)
    pushed_hash = models.CharField(max_length=64, blank=True)
    # The values last written: a change writes only the fields that differ, and identical
    # changes (a mass archive) go out as one `write`.
    pushed_values = models.JSONField(default=dict, blank=True)
    # Whether the Odoo product was last left active: archived links still count as synced.
    active = models.BooleanField(default=True)
    adopted = models.BooleanField(default=False, help_text="found in Odoo by SKU rather than created by TDS")
    last_pushed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "tds_odoo_products"
        ordering = ["zoho_item_id"]

    def __str__(self) -> str:
        return f"Zoho {self.zoho_item_id} -> Odoo product.template {self.odoo_template_id}"
