"""Field definitions of the models the fake serves, per version profile (what fields_get answers).

Only fields Odoo documents for these models; types as in Odoo (`many2one`, `selection`, `html`, ...).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from odoo.fake.profiles import Profile


@dataclass(frozen=True)
class Field:
    type: str
    string: str
    required: bool = False
    readonly: bool = False
    relation: str = ""
    selection: tuple[str, ...] = ()
    digits: tuple[int, int] | None = None
    translate: bool = False
    default: Any = None

    def describe(self, attributes: list[str] | None) -> dict[str, Any]:
        full: dict[str, Any] = {"type": self.type, "string": self.string, "required": self.required,
                                "readonly": self.readonly, "translate": self.translate}
        if self.relation:
            full["relation"] = self.relation
        if self.selection:
            full["selection"] = [[value, value.title()] for value in self.selection]
        if self.digits is not None:
            full["digits"] = list(self.digits)
        return {k: v for k, v in full.items() if not attributes or k in attributes}


PRICE_DIGITS = (16, 2)  # the "Product Price" decimal precision of a fresh database
COMMON = {
    "id": Field("integer", "ID", readonly=True),
    "display_name": Field("char", "Display Name", readonly=True),
    "create_date": Field("datetime", "Created on", readonly=True),
    "write_date": Field("datetime", "Last Updated on", readonly=True),
}


def _product_fields(profile: Profile) -> dict[str, Field]:
    fields = {
        **COMMON,
        "name": Field("char", "Name", required=True, translate=True),
        "default_code": Field("char", "Internal Reference"),
        "barcode": Field("char", "Barcode"),
        "list_price": Field("float", "Sales Price", digits=PRICE_DIGITS, default=1.0),
        "standard_price": Field("float", "Cost", digits=PRICE_DIGITS),
        "description": Field("html", "Description", translate=True),
        "description_sale": Field("text", "Sales Description", translate=True),
        "description_purchase": Field("text", "Purchase Description", translate=True),
        "uom_id": Field("many2one", "Unit", required=True, relation="uom.uom"),
        "active": Field("boolean", "Active", default=True),
        "sale_ok": Field("boolean", "Can be Sold", default=True),
        "purchase_ok": Field("boolean", "Can be Purchased", default=True),
        "categ_id": Field("many2one", "Product Category", required=True, relation="product.category"),
        "currency_id": Field("many2one", "Currency", readonly=True, relation="res.currency"),
        "company_id": Field("many2one", "Company", relation="res.company"),
        "product_variant_ids": Field("one2many", "Products", readonly=True, relation="product.product"),
        "type": Field("selection", "Product Type", required=True, selection=profile.type_selection,
                      default="consu"),
    }
    if profile.uom_categories:
        fields["uom_po_id"] = Field("many2one", "Purchase Unit", required=True, relation="uom.uom")
    else:
        fields["uom_ids"] = Field("many2many", "Packagings", relation="uom.uom")
    if profile.detailed_type:
        fields["detailed_type"] = Field("selection", "Product Type", required=True,
                                        selection=profile.type_selection, default="consu")
    if profile.is_storable:
        fields["is_storable"] = Field("boolean", "Track Inventory")
    return fields


def model_fields(profile: Profile) -> dict[str, dict[str, Field]]:
    product = _product_fields(profile)
    uom = {**COMMON, "name": Field("char", "Unit Name", required=True, translate=True),
           "active": Field("boolean", "Active", default=True), "rounding": Field("float", "Rounding Precision")}
    if profile.uom_categories:
        uom["category_id"] = Field("many2one", "Category", required=True, relation="uom.category")
        uom["uom_type"] = Field("selection", "Type", required=True, selection=("bigger", "reference", "smaller"))
        uom["factor"] = Field("float", "Ratio")
    else:
        uom["relative_factor"] = Field("float", "Contains")
        uom["relative_uom_id"] = Field("many2one", "Reference Unit", relation="uom.uom")
    models = {
        "product.template": product,
        # Inherited fields live on the template (_inherits): required there, not here.
        "product.product": {**{k: replace(f, required=False) for k, f in product.items()},
                            "product_tmpl_id": Field("many2one", "Product Template", required=True,
                                                     relation="product.template")},
        "uom.uom": uom,
        "res.currency": {**COMMON, "name": Field("char", "Currency", required=True),
                         "full_name": Field("char", "Name"), "symbol": Field("char", "Symbol", required=True),
                         "rounding": Field("float", "Rounding Factor", digits=(12, 6), default=0.01),
                         # computed from rounding: ceil(log10(1 / rounding)), 0 for a rounding of 1 or more
                         "decimal_places": Field("integer", "Decimal Places", readonly=True),
                         "position": Field("selection", "Symbol Position", selection=("after", "before"),
                                           default="after"),
                         "active": Field("boolean", "Active", default=True)},
        "res.company": {**COMMON, "name": Field("char", "Company Name", required=True),
                        "currency_id": Field("many2one", "Currency", required=True, relation="res.currency")},
        "res.users": {**COMMON, "name": Field("char", "Name"), "login": Field("char", "Login", required=True),
                      "company_id": Field("many2one", "Company", relation="res.company"),
                      "active": Field("boolean", "Active", default=True)},
        "product.category": {**COMMON, "name": Field("char", "Name", required=True)},
        "decimal.precision": {**COMMON, "name": Field("char", "Usage", required=True),
                              "digits": Field("integer", "Digits")},
        "ir.model": {**COMMON, "name": Field("char", "Model Description", required=True, translate=True),
                     "model": Field("char", "Model", required=True),
                     "state": Field("selection", "Type", selection=("manual", "base"), default="manual"),
                     "transient": Field("boolean", "Transient Model")},
        "ir.model.data": {**COMMON, "module": Field("char", "Module"), "name": Field("char", "External Identifier"),
                          "model": Field("char", "Model Name"), "res_id": Field("many2one_reference", "Record ID")},
    }
    if profile.uom_categories:
        models["uom.category"] = {**COMMON, "name": Field("char", "Unit of Measure Category", required=True)}
    return models


# Each model's _description, as ir.model lists it.
DESCRIPTIONS = {
    "product.template": "Product", "product.product": "Product Variant", "uom.uom": "Product Unit of Measure",
    "uom.category": "Product UoM Categories", "res.currency": "Currency", "res.company": "Companies",
    "res.users": "User", "product.category": "Product Category", "decimal.precision": "Decimal Precision",
    "ir.model": "Models", "ir.model.data": "Model Data",
}
