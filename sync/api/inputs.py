"""Input serializers: what each write endpoint and each query accepts, with the allowed ranges.

Query parameters are strict: a parameter given blank (``?limit=``) is refused with the 400 naming it,
as a malformed one is; DRF would take a blank optional parameter for an absent one and answer the
default, so a caller's mistake went unseen.
"""
from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.utils import html

from sync.entities import ALIASES, UnknownEntity, canonical, valid_names
from sync.stock.run import BATCH_RANGE, DB_BATCH_RANGE

WAIT_DEFAULT, WAIT_MAX = 30, 120
IDS_MESSAGE = "give between 1 and 100 item ids"


class NoBlank:
    """A field that takes a blank query parameter for the value it is (invalid), not for an absent one."""

    field_name: str

    def get_value(self, dictionary: Any) -> Any:
        if html.is_html_input(dictionary) and dictionary.get(self.field_name, empty) == "":
            return ""
        return super().get_value(dictionary)  # type: ignore[misc]


def _from_json(field: serializers.Field) -> bool:
    """Whether the field's value came from a JSON body (typed), not a query string or a form (all text)."""
    root = field.root
    return root is not None and not html.is_html_input(getattr(root, "initial_data", {}))


class StrictIntegerField(NoBlank, serializers.IntegerField):
    """In JSON an integer is a JSON number without a fraction: "12" and true are refused, as the schema says
    (DRF would take both); in a query string the text of one."""

    def to_internal_value(self, data: Any) -> int:
        if _from_json(self) and (isinstance(data, bool) or not isinstance(data, (int, float))):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(NoBlank, serializers.BooleanField):
    """In JSON true or false only (DRF would take 0, 1, "yes" ...); in a query string its usual words."""

    def to_internal_value(self, data: Any) -> bool:
        if _from_json(self) and not isinstance(data, bool):
            self.fail("invalid", input=data)
        return super().to_internal_value(data)


class StrictChoiceField(NoBlank, serializers.ChoiceField):
    pass


class StrictCharField(NoBlank, serializers.CharField):
    pass


def ranged(low: int, high: int, default: int, help_text: str = "") -> serializers.IntegerField:
    """An integer within [low, high] whose error says the allowed range."""
    message = f"must be an integer between {low} and {high}"
    return StrictIntegerField(
        min_value=low, max_value=high, default=default, help_text=f"{help_text} ({low}-{high}, default {default})",
        error_messages={"min_value": message, "max_value": message, "invalid": message, "max_string_length": message})


def entity_choices() -> list[str]:
    """What an ``entity_type`` may be, exactly as written: the registry's names and their aliases."""
    return [*valid_names(), *ALIASES]


class EntityField(NoBlank, serializers.ChoiceField):
    """An entity name or alias from the registry (an enum in the schema), answered in its canonical form."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("max_length", None)
        super().__init__(choices=entity_choices(), **kwargs)

    def to_internal_value(self, data: object) -> str:
        if str(data) not in self.choices:
            try:
                canonical(str(data))
            except UnknownEntity as exc:
                raise serializers.ValidationError(str(exc)) from exc
            raise serializers.ValidationError(f"unknown entity {data!r}; write it as one of "
                                              f"{', '.join(self.choices)}")
        return canonical(str(super().to_internal_value(data)))


class SyncRequestSerializer(serializers.Serializer):
    entity_type = EntityField(max_length=40, help_text="entity to pull (registry name or alias, e.g. products)")
    source = serializers.ChoiceField(choices=["zoho"], default="zoho",
                                     error_messages={"invalid_choice": "must be \"zoho\" (got \"{input}\")"})
    full = StrictBooleanField(default=False, help_text="full pass instead of incremental")
    dry_run = StrictBooleanField(default=False, help_text="fetch and compare, write nothing")


class StockOptionsSerializer(serializers.Serializer):
    batch_size = ranged(*BATCH_RANGE, 200, "items per Zoho API call")
    active_only = StrictBooleanField(default=True)
    with_stock_only = StrictBooleanField(default=False)
    db_batch_size = ranged(*DB_BATCH_RANGE, 100, "items per database batch")
    dry_run = StrictBooleanField(default=False)


class WaitSerializer(serializers.Serializer):
    wait = ranged(0, WAIT_MAX, WAIT_DEFAULT, "seconds to wait for the run before answering 202")


class StockBffQuerySerializer(StockOptionsSerializer, WaitSerializer):
    pass


class StockSpecificQuerySerializer(WaitSerializer):
    item_ids = serializers.ListField(
        # 30 characters (Zoho's ids have 18 or 19 digits): 100 of them still fit gunicorn's 4,094-byte request line.
        child=serializers.RegexField(r"^[0-9A-Za-z_-]{1,30}$", error_messages={
            "invalid": "each item id is 1-30 letters, digits, '-' or '_'"}),
        min_length=1, max_length=100, help_text="Zoho item ids (1-100), repeat the parameter",
        error_messages={key: IDS_MESSAGE for key in ("min_length", "max_length", "empty", "required")})


class RunsQuerySerializer(serializers.Serializer):
    entity_type = EntityField(max_length=40, required=False, help_text="only runs of this entity")
    limit = ranged(1, 100, 20, "runs to return")


class RecentQuerySerializer(serializers.Serializer):
    limit = ranged(1, 100, 20, "runs and events to return")
