"""Count verification: the Zoho items that should be live in Odoo against the Odoo products
that are, with the difference explained.

- zoho: active Zoho items (not inactive, not deleted) in the local mirror;
- odoo: active Odoo products linked to a Zoho item (other Odoo products are not ours to count);
- missing: active Zoho items with no active Odoo product (never pushed, skipped, or gone in Odoo);
- extra: active Odoo products whose Zoho item is inactive or deleted (should be archived);
- archived: linked Odoo products that are archived, as their Zoho item is;
- other: active Odoo products not linked to any Zoho item (made in Odoo, or SKU conflicts).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from odoo.answers import record_bool, record_int
from odoo.client import OdooClient
from odoo.models import OdooProductLink
from odoo.services.plan import MODEL, READ_CHUNK
from odoo.services.target import CONTEXT


@dataclass
class CountCheck:
    zoho: int = 0
    odoo: int = 0
    missing: int = 0
    extra: int = 0
    archived: int = 0
    other: int = 0

    @property
    def match(self) -> bool:
        return self.zoho == self.odoo and not self.missing and not self.extra

    def explain(self) -> str:
        if self.match:
            return f"Zoho {self.zoho} = Odoo {self.odoo}"
        return (f"Zoho {self.zoho} != Odoo {self.odoo}: {self.missing} missing in Odoo, {self.extra} extra in Odoo "
                f"(archived in Zoho, active in Odoo)")

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "match": self.match}


def counts_verify(*, client: OdooClient, active_zoho_ids: set[str]) -> CountCheck:
    links = dict(OdooProductLink.objects.values_list("odoo_template_id", "zoho_item_id"))
    active_odoo: set[int] = set()
    archived = 0
    ids = list(links)
    for start in range(0, len(ids), READ_CHUNK):
        for row in client.search_read(MODEL, [("id", "in", ids[start:start + READ_CHUNK])], ["id", "active"],
                                      context=CONTEXT):
            odoo_id = record_int(row, "id", f"{MODEL}.search_read")
            if odoo_id not in links:  # not a product asked for: nothing of ours to count
                continue
            if record_bool(row, "active", f"{MODEL}.search_read"):
                active_odoo.add(odoo_id)
            else:
                archived += 1
    live_items = {links[i] for i in active_odoo}
    all_active = client.search_count(MODEL, [("active", "=", True)])
    return CountCheck(zoho=len(active_zoho_ids), odoo=len(active_odoo), missing=len(active_zoho_ids - live_items),
                      extra=len(live_items - active_zoho_ids), archived=archived,
                      other=max(all_active - len(active_odoo), 0))
