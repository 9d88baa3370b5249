"""Mobile endpoints under /api/bff/tds/ (any authenticated user): compact answers, one call per screen.

The reads are polled by every phone; their answers, serialized, may be a second old (sync.api.fresh)."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from sync import jobs
from sync.api import inputs, outputs
from sync.api.exceptions import JsonErrorsMixin
from sync.api.fresh import fresh
from sync.api.tds import conflict_answer, job_answer
from sync.selectors import health, runs
from sync.selectors import status as status_selectors
from sync.stock.run import stock_response, stock_stats

ERRORS = {400: OpenApiResponse(outputs.ErrorSerializer, description="a parameter is malformed or out of range"),
          401: OpenApiResponse(outputs.ErrorSerializer, description="no or bad credentials")}
WRITE_ERRORS = {**ERRORS, 409: OpenApiResponse(outputs.RunActiveSerializer, description="a stock sync is under way"),
                429: OpenApiResponse(outputs.ErrorSerializer, description="throttled; see Retry-After")}
WRITE_RESPONSES = {200: OpenApiResponse(outputs.StockResultSerializer, description="the run finished within wait"),
                   202: OpenApiResponse(outputs.JobSerializer, description="still running: poll the url"),
                   **WRITE_ERRORS}


class BffView(JsonErrorsMixin, APIView):
    permission_classes = [IsAuthenticated]


def _query(serializer: type, request: Request) -> dict:
    given = serializer(data=request.query_params)
    given.is_valid(raise_exception=True)
    return dict(given.validated_data)


class StatusView(BffView):
    @extend_schema(summary="Mobile sync status", responses={200: outputs.MobileStatusSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        return Response(fresh("bff-status", lambda: outputs.MobileStatusSerializer(
            status_selectors.status_mobile()).data))


class RecentView(BffView):
    @extend_schema(summary="Recent activity: runs and applied webhook events",
                   parameters=[inputs.RecentQuerySerializer], responses={200: outputs.RecentSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        query = _query(inputs.RecentQuerySerializer, request)
        return Response(fresh(("bff-recent", query["limit"]), lambda: outputs.RecentSerializer(
            status_selectors.recent_activity(limit=query["limit"])).data))


class HealthView(BffView):
    @extend_schema(summary="Health with component checks", responses={200: outputs.HealthSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        return Response(fresh("health", lambda: outputs.HealthSerializer(health.health_report()).data))


class DashboardView(BffView):
    @extend_schema(summary="Everything a phone screen shows, in one call",
                   responses={200: outputs.DashboardSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        return Response(fresh("bff-dashboard", lambda: outputs.DashboardSerializer(status_selectors.dashboard()).data))


class RunsView(BffView):
    @extend_schema(summary="Recent runs, optionally of one entity", parameters=[inputs.RunsQuerySerializer],
                   responses={200: outputs.BffRunsSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        query = _query(inputs.RunsQuerySerializer, request)
        limit, entity = query["limit"], query.get("entity_type")
        return Response(fresh(("bff-runs", limit, entity), lambda: outputs.BffRunsSerializer(
            {"runs": runs.runs_bff(limit=limit, entity=entity)}).data))


class StockWriteView(BffView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "tds_write"

    def run_stock(self, options: dict, wait: int) -> Response:
        """Queue the stock sync; answer its result if it ends within ``wait`` seconds, else 202."""
        try:
            job = jobs.job_start(kind="stock", options=options)
        except jobs.RunActive as exc:
            return conflict_answer(exc)
        run = jobs.job_wait(run_id=job.run_id, seconds=wait) if wait else None
        if run is None:
            return job_answer(job)
        return Response(stock_response(jobs.run_result(run)), status=status.HTTP_200_OK)


class StockSyncView(StockWriteView):
    @extend_schema(summary="Stock sync from Zoho; waits up to `wait` seconds for the result",
                   request=None, parameters=[inputs.StockBffQuerySerializer], responses=WRITE_RESPONSES)
    def post(self, request: Request) -> Response:
        query = _query(inputs.StockBffQuerySerializer, request)
        wait = query.pop("wait")
        return self.run_stock(query, wait)


class StockSpecificView(StockWriteView):
    @extend_schema(summary="Stock sync of specific Zoho item ids (1-100)", request=None,
                   parameters=[inputs.StockSpecificQuerySerializer], responses=WRITE_RESPONSES)
    def post(self, request: Request) -> Response:
        query = _query(inputs.StockSpecificQuerySerializer, request)
        return self.run_stock({"item_ids": query["item_ids"]}, query["wait"])


class StockStatsView(BffView):
    @extend_schema(summary="Stock figures from the products table",
                   responses={200: outputs.StockStatsSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        return Response(fresh("bff-stock-stats", lambda: outputs.StockStatsSerializer(stock_stats().as_dict()).data))
