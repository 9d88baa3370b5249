"""Dead-letter endpoints (staff only): list, retry some, retry all."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from sync.api.exceptions import JsonErrorsMixin
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

_MAX_LIMIT = 500
ADMIN_ERRORS = {400: OpenApiResponse(ErrorSerializer, description="bad parameters"),
                401: OpenApiResponse(ErrorSerializer, description="no or bad credentials"),
                403: OpenApiResponse(ErrorSerializer, description="not a staff user")}
THROTTLED = OpenApiResponse(ErrorSerializer, description="throttled; see Retry-After")


class DeadLetterListView(JsonErrorsMixin, APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(
        parameters=[
            OpenApiParameter("resolved", bool, description="false (default): open letters; true: resolved; all"),
            OpenApiParameter("error_class", str, enum=["transient", "permanent"]),
            OpenApiParameter("entity", str),
            OpenApiParameter("limit", int), OpenApiParameter("offset", int),
            OpenApiParameter("detail", bool, description="include payload and traceback"),
        ],
        responses={200: DeadLetterPageSerializer, **ADMIN_ERRORS},
    )
    def get(self, request: Request) -> Response:
        letters = self._filtered(request)
        limit, offset = _int(request, "limit", 50, 1, _MAX_LIMIT), _int(request, "offset", 0, 0, 10**9)
        serializer = DeadLetterDetailSerializer if request.query_params.get("detail") in ("1", "true") \
            else DeadLetterSerializer
        page = letters.order_by("-created_at", "-id")[offset:offset + limit]
        return Response({
            "count": letters.count(), "open": DeadLetter.objects.filter(resolved=False).count(),
            "limit": limit, "offset": offset, "results": serializer(page, many=True).data,
        })

    def _filtered(self, request: Request):  # noqa: ANN202
        letters = DeadLetter.objects.all()
        resolved = request.query_params.get("resolved", "false").lower()
        if resolved in ("false", "0", "no"):
            letters = letters.filter(resolved=False)
        elif resolved in ("true", "1", "yes"):
            letters = letters.filter(resolved=True)
        for name in ("error_class", "entity"):
            if request.query_params.get(name):
                letters = letters.filter(**{name: request.query_params[name]})
        return letters


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(request.query_params.get(name, default))
    except (TypeError, ValueError):
        return default
    return max(low, min(high, value))


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
        known = set(DeadLetter.objects.filter(pk__in=ids).values_list("pk", flat=True))
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
