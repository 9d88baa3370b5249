"""Admin endpoints under /api/tds/: health (everyone), status, sync, sync-runs, stock sync (staff).

Thin views: input serializers validate, sync.jobs queues runs, sync.selectors read, output
serializers shape the answer.
"""
from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from sync import jobs
from sync.api import inputs, outputs
from sync.api.exceptions import JsonErrorsMixin
from sync.api.filters import RunCursorPagination, SyncRunFilter
from sync.api.fresh import fresh
from sync.models import SyncRun
from sync.selectors import health, runs
from sync.selectors import status as status_selectors

ERRORS = {400: OpenApiResponse(outputs.ErrorSerializer, description="a parameter is missing or out of range"),
          401: OpenApiResponse(outputs.ErrorSerializer, description="no or bad credentials"),
          403: OpenApiResponse(outputs.ErrorSerializer, description="not a staff user")}
WRITE_ERRORS = {**ERRORS, 409: OpenApiResponse(outputs.RunActiveSerializer, description="a run is already under way"),
                429: OpenApiResponse(outputs.ErrorSerializer, description="throttled; see Retry-After")}


def run_url(run_id: str) -> str:
    return reverse("api:sync-run", args=[run_id])


def job_answer(job: jobs.Job) -> Response:
    """202: the run is queued; its id and where to follow it."""
    return Response({"status": job.status, "sync_run_id": job.run_id, "url": run_url(job.run_id)},
                    status=status.HTTP_202_ACCEPTED)


def conflict_answer(exc: jobs.RunActive) -> Response:
    run_id = str(exc.run.pk)
    return Response({"error": "run_active", "status": "error", "message": str(exc), "sync_run_id": run_id,
                     "url": run_url(run_id)}, status=status.HTTP_409_CONFLICT)


class AdminView(JsonErrorsMixin, APIView):
    permission_classes = [IsAdminUser]


class WriteView(AdminView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "tds_write"


class HealthView(JsonErrorsMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(summary="Health for load balancers; the full body for authenticated callers",
                   responses={200: outputs.HealthSerializer,
                              503: OpenApiResponse(outputs.HealthSerializer, description="unhealthy")})
    def get(self, request: Request) -> Response:
        if request.user and request.user.is_authenticated:
            body = fresh("health", lambda: outputs.HealthSerializer(health.health_report()).data)
        else:
            body = {"status": health.health_status()}
        code = status.HTTP_503_SERVICE_UNAVAILABLE if body["status"] == "unhealthy" else status.HTTP_200_OK
        return Response(body, status=code)


class StatusView(AdminView):
    @extend_schema(summary="Detailed status: active runs, queue, dead letters, cursors, last compare, Zoho",
                   responses={200: outputs.StatusSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        return Response(fresh("status", lambda: outputs.StatusSerializer(status_selectors.status_detail()).data))


class SyncView(WriteView):
    @extend_schema(summary="Queue a pull of one entity on the cluster", request=inputs.SyncRequestSerializer,
                   responses={202: outputs.JobSerializer, **WRITE_ERRORS})
    def post(self, request: Request) -> Response:
        given = inputs.SyncRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        try:
            job = jobs.job_start(kind="pull", options={"entity": data["entity_type"], "full": data["full"],
                                                       "dry_run": data["dry_run"]})
        except jobs.RunActive as exc:
            return conflict_answer(exc)
        return job_answer(job)


class StockSyncView(WriteView):
    @extend_schema(summary="Queue a stock sync on the cluster (options in the JSON body or the query)",
                   request=inputs.StockOptionsSerializer, parameters=[inputs.StockOptionsSerializer],
                   responses={202: outputs.JobSerializer, **WRITE_ERRORS})
    def post(self, request: Request) -> Response:
        # The query and the body are each checked on their own (a bad query value is a 400 even when the body
        # sets the same option), then the body's options win over the query's.
        chosen = {}
        for data in (request.query_params, _body(request)):
            part = inputs.StockOptionsSerializer(data=data, partial=True)
            part.is_valid(raise_exception=True)
            chosen.update(part.validated_data)
        given = inputs.StockOptionsSerializer(data=chosen)
        given.is_valid(raise_exception=True)
        try:
            job = jobs.job_start(kind="stock", options=dict(given.validated_data))
        except jobs.RunActive as exc:
            return conflict_answer(exc)
        return job_answer(job)


def _body(request: Request) -> dict:
    data = request.data
    if not hasattr(data, "items"):
        raise ValidationError({"non_field_errors": ["the body must be a JSON object of options"]})
    return dict(data.items())


class SyncRunListView(JsonErrorsMixin, generics.ListAPIView):
    permission_classes = [IsAdminUser]
    filterset_class = SyncRunFilter
    pagination_class = RunCursorPagination
    serializer_class = outputs.RunSerializer

    def get_queryset(self) -> QuerySet[SyncRun]:
        return runs.runs_listed()

    @extend_schema(summary="Runs, newest first, filtered and paginated by cursor",
                   responses={200: outputs.RunSerializer(many=True), **ERRORS,
                              404: OpenApiResponse(outputs.ErrorSerializer,
                                                   description="a cursor this API did not hand out")})
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response([runs.run_row(run) for run in page])


class SyncRunDetailView(AdminView):
    @extend_schema(summary="One run with counts, timings, API calls, errors and its log lines",
                   responses={200: outputs.RunDetailSerializer,
                              404: OpenApiResponse(outputs.ErrorSerializer, description="no such run"), **ERRORS})
    def get(self, request: Request, run_id: str) -> Response:
        detail = runs.run_detail(run_id=str(run_id))
        if detail is None:
            return Response({"error": "not_found", "status": "error", "message": f"No run {run_id}."},
                            status=status.HTTP_404_NOT_FOUND)
        return Response(detail)
