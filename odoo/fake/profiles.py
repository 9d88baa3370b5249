"""Version profiles of the fake Odoo: what differs between 17, 18 and 19.

17 (as 16): `detailed_type` beside `type` (consu/service/product), `uom_po_id` in the same UoM
category as `uom_id`; XML-RPC only.
18: `type` in consu/service/combo plus `is_storable`; `uom_po_id` and categories remain; XML-RPC only.
19: no `uom_po_id`, no UoM categories (`uom_ids` packagings instead); XML-RPC (deprecated) and JSON-2.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    major: int
    json2: bool
    uom_categories: bool
    type_selection: tuple[str, ...]
    detailed_type: bool
    is_storable: bool

    @property
    def server_version(self) -> str:
        return f"{self.major}.0"

    @property
    def version_info(self) -> list[object]:
        return [self.major, 0, 0, "final", 0, ""]


PROFILES: dict[int, Profile] = {
    17: Profile(17, json2=False, uom_categories=True, type_selection=("consu", "service", "product"),
                detailed_type=True, is_storable=False),
    18: Profile(18, json2=False, uom_categories=True, type_selection=("consu", "service", "combo"),
                detailed_type=False, is_storable=True),
    19: Profile(19, json2=True, uom_categories=False, type_selection=("consu", "service", "combo"),
                detailed_type=False, is_storable=True),
}


def profile_for(version: int | str) -> Profile:
    major = int(str(version).split(".")[0])
    if major == 16:  # 16 and 17 share the product model this sync touches
        major = 17
    if major not in PROFILES:
        raise ValueError(f"unknown Odoo version profile {version!r}; choose one of 16, 17, 18, 19")
    return PROFILES[major]
