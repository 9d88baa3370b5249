"""product.template / product.product rules of the fake, as Odoo's product module has them.

- A template without variants gets exactly one product.product (unless the context says
  create_product_product=False); default_code, barcode, standard_price and active live on the
  variant and are kept in step with the template.
- default_code is NOT unique; barcode is unique (ValidationError "Barcode(s) already assigned").
- 16-18: uom_id and uom_po_id must be in the same UoM category; uom_po_id defaults to Units.
- 17: `type` is derived from `detailed_type` (and an old-style `type` key is accepted).
- currency_id is the company currency (read-only, computed).
- display_name is "[internal reference] name" (just the name without a reference).
- product_variant_ids lists the template's active variants (all with active_test=False), as a
  one2many reads.
- Unlinking a template unlinks its variants; unlinking a template's last active variant unlinks
  the template (and so any archived variant left), as product.product.unlink does.
"""
from __future__ import annotations

from typing import Any

from odoo.fake.exceptions import ValidationError
from odoo.fake.orm import Database, Record

VARIANT_FIELDS = ("default_code", "barcode", "standard_price", "active", "name", "list_price", "uom_id", "type")


def install(db: Database) -> None:
    db.before_create["product.template"] = _before_template
    db.after_create["product.template"] = _after_template_create
    db.before_write["product.template"] = _before_template
    db.after_write["product.template"] = _after_template_write
    db.before_create["product.product"] = _before_variant_create
    db.after_create["product.product"] = _after_variant_create
    db.after_unlink["product.template"] = _after_template_unlink
    db.after_unlink["product.product"] = _after_variant_unlink
    db.computed["product.template"] = {"product_variant_ids": _variant_ids}
    db.defaults["product.template"] = _template_defaults
    for model in ("product.template", "product.product"):
        db.display[model] = _display_name


def _display_name(record: Record) -> str:
    code, name = record.get("default_code"), record.get("name") or ""
    return f"[{code}] {name}" if code else name


def _variant_ids(db: Database, record: Record, context: dict[str, Any]) -> list[int]:
    variants = db.tables["product.product"]
    active_only = context.get("active_test", True)
    return [i for i in record.get("product_variant_ids") or [] if not active_only or variants[i].get("active", True)]


def _after_variant_create(db: Database, model: str, records: list[Record], context: dict[str, Any]) -> None:
    templates = db.tables["product.template"]
    for variant in records:
        template = templates[variant["product_tmpl_id"]]
        template["product_variant_ids"] = [*(template.get("product_variant_ids") or []), variant["id"]]


def _template_defaults(db: Database) -> dict[str, Any]:
    units = db.xmlid("uom", "product_uom_unit")
    defaults = {"uom_id": units, "categ_id": db.xmlid("product", "product_category_all")}
    return {**defaults, "uom_po_id": units} if db.profile.uom_categories else defaults


def _after_template_unlink(db: Database, templates: list[Record]) -> None:
    # product_tmpl_id is ondelete="cascade": every variant goes, archived ones too.
    gone = {t["id"] for t in templates}
    db.unlink("product.product", [v["id"] for v in list(db.tables["product.product"].values())
                                  if v["product_tmpl_id"] in gone])


def _after_variant_unlink(db: Database, variants: list[Record]) -> None:
    # A template left without an active variant goes too (the variants unlinked here are already gone).
    gone = {v["id"] for v in variants}
    table, left_alone = db.tables["product.template"], []
    for template_id in sorted({v["product_tmpl_id"] for v in variants} & set(db.tables["product.template"])):
        template = table[template_id]
        template["product_variant_ids"] = [i for i in template.get("product_variant_ids") or [] if i not in gone]
        if not _variant_ids(db, template, {}):
            left_alone.append(template_id)
    if left_alone:
        db.unlink("product.template", left_alone)


def _before_template(db: Database, model: str, records: list[Record], context: dict[str, Any]) -> None:
    units = db.xmlid("uom", "product_uom_unit")
    for record in records:
        record["uom_id"] = record.get("uom_id") or units
        record["categ_id"] = record.get("categ_id") or db.xmlid("product", "product_category_all")
        record["currency_id"] = db.tables["res.company"][1]["currency_id"]
        if db.profile.uom_categories:
            record["uom_po_id"] = record.get("uom_po_id") or units
            _same_category(db, record)
        if db.profile.detailed_type:
            _detailed_type(record, context.get("vals"))
    _unique_barcodes(db, records)


def _same_category(db: Database, record: Record) -> None:
    units = db.tables["uom.uom"]
    if units[record["uom_id"]]["category_id"] != units[record["uom_po_id"]]["category_id"]:
        raise ValidationError("The default Unit of Measure and the purchase Unit of Measure must be in the "
                              "same category.")


def _detailed_type(record: Record, written: dict[str, Any] | None) -> None:
    # Writing the old `type` key alone still works: detailed_type follows it (compatibility).
    if written is not None and "type" in written and "detailed_type" not in written:
        record["detailed_type"] = record["type"]
    record["type"] = record.get("detailed_type") or record.get("type") or "consu"


def _unique_barcodes(db: Database, records: list[Record]) -> None:
    seen: dict[str, int] = {}
    staged = {r.get("id") for r in records}
    for row in db.tables["product.template"].values():
        if row.get("barcode") and row["id"] not in staged:
            seen[row["barcode"]] = row["id"]
    for record in records:
        code = record.get("barcode")
        if not code:
            continue
        # A record not stored yet has no id: its own Python identity tells it apart.
        if code in seen and seen[code] != (record.get("id") or id(record)):
            raise ValidationError(f"Barcode(s) already assigned:\n\n- Barcode \"{code}\" already assigned to "
                                  f"product(s): {record.get('name')}")
        seen[code] = record.get("id") or id(record)


def _after_template_create(db: Database, model: str, records: list[Record], context: dict[str, Any]) -> None:
    if context.get("create_product_product") is False:
        return
    variants = [{**{k: r.get(k, False) for k in VARIANT_FIELDS}, "product_tmpl_id": r["id"],
                 **({"uom_po_id": r["uom_po_id"]} if "uom_po_id" in r else {})} for r in records]
    db.create("product.product", variants, context={"from_template": True})


def _after_template_write(db: Database, model: str, records: list[Record], context: dict[str, Any]) -> None:
    shared = {k: v for k, v in context["vals"].items() if k in VARIANT_FIELDS}
    if not shared:
        return
    ids = db.search("product.product", [("product_tmpl_id", "in", [r["id"] for r in records])],
                    context={"active_test": False})
    if ids:
        db.write("product.product", ids, shared)


def _before_variant_create(db: Database, model: str, records: list[Record], context: dict[str, Any]) -> None:
    if context.get("from_template"):
        return
    # _inherits: a variant created on its own brings its template.
    for record in records:
        if not record.get("product_tmpl_id"):
            vals = {k: record[k] for k in VARIANT_FIELDS if record.get(k) not in (None, False)}
            record["product_tmpl_id"] = db.create("product.template", [vals],
                                                  context={"create_product_product": False})[0]
