"""Input serializers: what each write endpoint and each query accepts, with the allowed ranges."""
from __future__ import annotations

from rest_framework import serializers

from sync.entities import UnknownEntity, canonical
from sync.stock.run import BATCH_RANGE, DB_BATCH_RANGE

WAIT_DEFAULT, WAIT_MAX = 30, 120
IDS_MESSAGE = "give between 1 and 100 item ids"


def ranged(low: int, high: int, default: int, help_text: str = "") -> serializers.IntegerField:
    """An integer within [low, high] whose error says the allowed range."""
    message = f"must be an integer between {low} and {high}"
    return serializers.IntegerField(
        min_value=low, max_value=high, default=default, help_text=f"{help_text} ({low}-{high}, default {default})",
        error_messages={"min_value": message, "max_value": message, "invalid": message, "max_string_length": message})


class EntityField(serializers.CharField):
    """An entity name or alias from the registry, answered in its canonical form."""

    def to_internal_value(self, data: object) -> str:
        value = super().to_internal_value(data)
        try:
            return canonical(value)
        except UnknownEntity as exc:
            raise serializers.ValidationError(str(exc)) from exc


class SyncRequestSerializer(serializers.Serializer):
    entity_type = EntityField(max_length=40, help_text="entity to pull (registry name or alias, e.g. products)")
    source = serializers.ChoiceField(choices=["zoho"], default="zoho",
                                     error_messages={"invalid_choice": "must be \"zoho\" (got \"{input}\")"})
    full = serializers.BooleanField(default=False, help_text="full pass instead of incremental")
    dry_run = serializers.BooleanField(default=False, help_text="fetch and compare, write nothing")


class StockOptionsSerializer(serializers.Serializer):
    batch_size = ranged(*BATCH_RANGE, 200, "items per Zoho API call")
    active_only = serializers.BooleanField(default=True)
    with_stock_only = serializers.BooleanField(default=False)
    db_batch_size = ranged(*DB_BATCH_RANGE, 100, "items per database batch")
    dry_run = serializers.BooleanField(default=False)


class WaitSerializer(serializers.Serializer):
    wait = ranged(0, WAIT_MAX, WAIT_DEFAULT, "seconds to wait for the run before answering 202")


class StockBffQuerySerializer(StockOptionsSerializer, WaitSerializer):
    pass


class StockSpecificQuerySerializer(WaitSerializer):
    item_ids = serializers.ListField(
        child=serializers.RegexField(r"^[0-9A-Za-z_-]{1,64}$", error_messages={
            "invalid": "each item id is 1-64 letters, digits, '-' or '_'"}),
        min_length=1, max_length=100, help_text="Zoho item ids (1-100), repeat the parameter",
        error_messages={key: IDS_MESSAGE for key in ("min_length", "max_length", "empty", "required")})


class RunsQuerySerializer(serializers.Serializer):
    entity_type = EntityField(max_length=40, required=False, help_text="only runs of this entity")
    limit = ranged(1, 100, 20, "runs to return")


class RecentQuerySerializer(serializers.Serializer):
    limit = ranged(1, 100, 20, "runs and events to return")
