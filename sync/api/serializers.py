"""Serializers for the queue and dead-letter endpoints."""
from __future__ import annotations

from rest_framework import serializers

from sync.api.inputs import StrictIntegerField
from sync.models import DeadLetter


class DeadLetterSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeadLetter
        fields: tuple[str, ...] = (
            "id", "entity", "zoho_id", "operation", "error_class", "error_type", "error_message", "attempts",
            "auto_retries", "next_retry_at", "resolved", "resolved_at", "resolution", "correlation_id",
            "created_at", "queue_item")


class DeadLetterDetailSerializer(DeadLetterSerializer):
    class Meta(DeadLetterSerializer.Meta):
        fields = (*DeadLetterSerializer.Meta.fields, "payload", "traceback")


class DeadLetterPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    open = serializers.IntegerField()
    limit = serializers.IntegerField()
    offset = serializers.IntegerField()
    results = DeadLetterDetailSerializer(many=True, help_text="payload and traceback only with detail=true")


class DeadLetterIdsSerializer(serializers.Serializer):
    ids = serializers.ListField(child=StrictIntegerField(min_value=1, max_value=2**63 - 1), min_length=1,
                                max_length=10_000)


class RetryOutcomeSerializer(serializers.Serializer):
    status = serializers.CharField()
    requeued = serializers.IntegerField()
    skipped = serializers.IntegerField(help_text="letters already resolved")
    not_found = serializers.ListField(child=serializers.IntegerField(), help_text="ids with no dead letter")
    error = serializers.CharField(required=False, help_text="not_found when none of the ids exists")
    message = serializers.CharField(required=False)
