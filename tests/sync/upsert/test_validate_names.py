"""A record's check names the Zoho field behind a value only when that value is refused: looking it up
re-reads every field of the record, which for every value was most of the cost of checking a valid one
(at the webhook door and at apply)."""
from unittest import mock

from sync.upsert import validate

ITEM = {"item_id": "4600000000001", "name": "Cable", "sku": "C-1", "rate": 12.5, "purchase_rate": 9.75,
        "status": "active", "description": "Lorem ipsum " * 20, "stock_on_hand": 3,
        "last_modified_time": "2025-11-18T02:00:00+0300"}


def test_a_valid_record_is_checked_without_naming_any_field() -> None:
    with mock.patch.object(validate, "_named", side_effect=AssertionError("named a valid value")):
        assert validate.record_problems(entity="items", record=ITEM) == []


def test_a_refused_value_still_names_the_zoho_field_it_came_from() -> None:
    problems = validate.record_problems(entity="items", record={**ITEM, "rate": "1e50"})
    assert any(p.startswith("unit_price (rate): ") for p in problems), problems
