"""Queue health (staff only): counts by status and priority, age, throughput, stuck leases."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sync.api.exceptions import JsonErrorsMixin
from sync.api.outputs import ErrorSerializer
from sync.metrics.rejections import rejections
from sync.pipeline.queue import queue_health


class QueueHealthView(JsonErrorsMixin, APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 401: ErrorSerializer, 403: ErrorSerializer})
    def get(self, request: Request) -> Response:
        return Response({**queue_health(), "webhooks_rejected": rejections()})
