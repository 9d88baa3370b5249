"""Dead-letter endpoints (staff only): list, retry some, retry all."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from sync.api.exceptions import JsonErrorsMixin
from sync.api.inputs import StrictBooleanField, StrictCharField, StrictChoiceField, StrictIntegerField, ranged
from sync.api.outputs import ErrorSerializer
from sync.api.serializers import (
    DeadLetterDetailSerializer,
    DeadLetterIdsSerializer,
    DeadLetterPageSerializer,
    DeadLetterSerializer,
    RetryOutcomeSerializer,
)
from sync.models import DeadLetter
from sync.pipeline.deadletter import deadletter_retry
from sync.selectors.items import dead_letters_existing, dead_letters_in, dead_letters_matching

_MAX_LIMIT = 500
ADMIN_ERRORS = {400: OpenApiResponse(ErrorSerializer, description="bad parameters"),
                401: OpenApiResponse(ErrorSerializer, description="no or bad credentials"),
                403: OpenApiResponse(ErrorSerializer, description="not a staff user")}
THROTTLED = OpenApiResponse(ErrorSerializer, description="throttled; see Retry-After")
_RESOLVED: dict[str, bool | None] = {"false": False, "0": False, "no": False, "true": True, "1": True, "yes": True,
                                     "all": None}


class DeadLetterQuerySerializer(serializers.Serializer):
    resolved = StrictChoiceField(choices=["false", "true", "all", "0", "1", "no", "yes"], default="false",
                                       help_text="false (default): open letters; true: resolved; all")
    error_class = StrictChoiceField(choices=DeadLetter.ErrorClass.choices, required=False)
    entity = StrictCharField(max_length=40, required=False)
    limit = ranged(1, _MAX_LIMIT, 50, "letters per page")
    offset = StrictIntegerField(min_value=0, max_value=10**9, default=0)
    detail = StrictBooleanField(default=False, help_text="include payload and traceback")


class DeadLetterListView(JsonErrorsMixin, APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(parameters=[DeadLetterQuerySerializer], responses={200: DeadLetterPageSerializer, **ADMIN_ERRORS})
    def get(self, request: Request) -> Response:
        given = DeadLetterQuerySerializer(data=request.query_params)
        given.is_valid(raise_exception=True)
        query = given.validated_data
        letters = dead_letters_in(resolved=_RESOLVED[query["resolved"]], entity=query.get("entity") or "",
                                  error_class=query.get("error_class") or "")
        limit, offset = query["limit"], query["offset"]
        serializer = DeadLetterDetailSerializer if query["detail"] else DeadLetterSerializer
        page = letters.order_by("-created_at", "-id")[offset:offset + limit]
        return Response({
            "count": letters.count(), "open": dead_letters_matching().count(),
            "limit": limit, "offset": offset, "results": serializer(page, many=True).data,
        })


class DeadLetterRetryView(JsonErrorsMixin, APIView):
    permission_classes = [IsAdminUser]

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "tds_write"

    @extend_schema(
        request=DeadLetterIdsSerializer,
        responses={200: RetryOutcomeSerializer,
                   404: OpenApiResponse(RetryOutcomeSerializer, description="none of the ids exist"),
                   **ADMIN_ERRORS, 429: THROTTLED},
        description="Requeue these dead letters. Ids with no dead letter are listed in not_found; "
                    "when none of the ids exists the answer is 404 (error not_found) and nothing changes.")
    def post(self, request: Request) -> Response:
        serializer = DeadLetterIdsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = list(dict.fromkeys(serializer.validated_data["ids"]))
        known = dead_letters_existing(ids)
        missing = [i for i in ids if i not in known]
        if not known:
            return Response({"error": "not_found", "status": "error", "message": "No dead letter with these ids.",
                             "requeued": 0, "skipped": 0, "not_found": missing}, status=404)
        outcome = deadletter_retry(ids=[i for i in ids if i in known])
        return Response({"status": "ok", **outcome.as_dict(), "not_found": missing})


class DeadLetterRetryAllView(JsonErrorsMixin, APIView):
    permission_classes = [IsAdminUser]

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "tds_write"

    @extend_schema(request=None, responses={200: RetryOutcomeSerializer, **ADMIN_ERRORS, 429: THROTTLED})
    def post(self, request: Request) -> Response:
        outcome = deadletter_retry(all_open=True)
        return Response({"status": "ok", **outcome.as_dict(), "not_found": []})
