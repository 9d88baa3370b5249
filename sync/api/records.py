"""Record search and trace under /api/tds/records (staff): find a record across entities, read its trace
(``?as_of=`` rebuilds it at an earlier time, ``?compare=true`` adds the live diff with Zoho, one detail
call), and send Zoho's current version through the inbox (POST …/refetch)."""
from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from sync.api.exceptions import JsonErrorsMixin, error_body
from sync.api.inputs import entity_choices, ranged
from sync.api.outputs import ErrorSerializer
from sync.entities import REGISTRY, canonical
from sync.trace.compare import ZohoAnswer, ZohoHasNoRecord, record_compare, record_refetch_apply
from sync.trace.record import RecordMissing, TraceError, parse_as_of, record_trace
from sync.trace.search import MAX_QUERY, PER_ENTITY, BadQuery, record_search
from zoho.ids import ZOHO_ID_MAX_DIGITS

ERRORS = {400: OpenApiResponse(ErrorSerializer, description="a bad entity, id, search text or time"),
          401: OpenApiResponse(ErrorSerializer, description="no or bad credentials"),
          403: OpenApiResponse(ErrorSerializer, description="not a staff user")}
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="the mirror (or, asked to compare, Zoho) holds no such record")
ZOHO_FAILED = OpenApiResponse(ErrorSerializer, description="Zoho could not be asked, or sent what cannot be stored")
THROTTLED = OpenApiResponse(ErrorSerializer, description="compare or re-fetch throttled; see Retry-After")
NO_ROUTE = OpenApiResponse(ErrorSerializer,
                           description="Zoho holds no such record, or no route can carry the entity or id")
_ANY = serializers.JSONField()


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=MAX_QUERY, trim_whitespace=True,
                              help_text="a Zoho id, SKU, document number, name or customer/vendor name")
    limit = ranged(1, 50, PER_ENTITY, "results per entity")


class HitSerializer(serializers.Serializer):
    zoho_id = serializers.CharField()
    title = serializers.CharField()
    subtitle = serializers.CharField()
    active = serializers.BooleanField()
    exact = serializers.BooleanField(help_text="the id, SKU, number or name equals the search text")
    url = serializers.CharField(help_text="this record's trace")


class SearchGroupSerializer(serializers.Serializer):
    entity = serializers.CharField()
    results = HitSerializer(many=True)
    more = serializers.BooleanField(help_text="more records of this entity match than are listed")


class SearchSerializer(serializers.Serializer):
    query = serializers.CharField()
    total = serializers.IntegerField()
    groups = SearchGroupSerializer(many=True)


@extend_schema_field(OpenApiTypes.DATETIME)
class AsOfField(serializers.CharField):
    """Read by parse_as_of (a date alone is taken too); published as what it must be, an ISO 8601 time."""


class TraceQuerySerializer(serializers.Serializer):
    as_of = AsOfField(required=False, max_length=64,
                                  help_text="ISO 8601 time: also rebuild the record as it was then")
    compare = serializers.BooleanField(required=False, default=False,
                                       help_text="also fetch the record from Zoho (one API call) and diff it")


class FieldDiffSerializer(serializers.Serializer):
    field = serializers.CharField()
    mirror = serializers.JSONField(allow_null=True)
    zoho = serializers.JSONField(allow_null=True)


class ComparisonSerializer(serializers.Serializer):
    entity = serializers.CharField()
    zoho_id = serializers.CharField()
    in_mirror = serializers.BooleanField()
    same = serializers.BooleanField()
    differences = FieldDiffSerializer(many=True)
    lines = serializers.DictField(child=serializers.ListField(child=serializers.DictField()),
                                  help_text="added, removed and changed lines")
    lines_compared = serializers.BooleanField()
    zoho_last_modified = serializers.CharField(allow_null=True)


class AsOfSerializer(serializers.Serializer):
    at = serializers.CharField()
    existed = serializers.BooleanField()
    fields = serializers.DictField()
    changes_undone = serializers.IntegerField()
    deleted_in_zoho = serializers.BooleanField(required=False)


class TraceSerializer(serializers.Serializer):
    entity = serializers.CharField()
    zoho_id = serializers.CharField()
    label = serializers.CharField()
    fields = serializers.DictField(help_text="the mirror row's own columns")
    bookkeeping = serializers.DictField(help_text="last modified in Zoho, last synced, active, deleted, hash")
    links = serializers.ListField(child=serializers.DictField(), help_text="customer, vendor, warehouse rows")
    lines = serializers.ListField(child=serializers.DictField())
    stock = serializers.ListField(child=serializers.DictField())
    timeline = serializers.ListField(child=serializers.DictField(), help_text="audit entries, newest first")
    events = serializers.ListField(child=serializers.DictField(),
                                   help_text="inbox events and queue items with their outcome")
    runs = serializers.ListField(child=serializers.DictField())
    dead_letters = serializers.ListField(child=serializers.DictField())
    as_of = AsOfSerializer(allow_null=True)
    comparison = ComparisonSerializer(required=False)


class RefetchSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["stored", "duplicate"])
    inbox_event_id = serializers.IntegerField(allow_null=True)
    comparison = ComparisonSerializer()


def _trace_url(request: Request, entity: str, zoho_id: str) -> str:
    from django.urls import reverse

    return reverse("api:record", args=[entity, zoho_id])


def _bad(exc: Exception) -> Response:
    return Response(error_body("invalid", str(exc)), status=status.HTTP_400_BAD_REQUEST)


class RecordSearchView(JsonErrorsMixin, APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(operation_id="tds_records_search",
                   summary="Find records across entities by Zoho id, SKU, document number or name",
                   parameters=[SearchQuerySerializer], responses={200: SearchSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        given = SearchQuerySerializer(data=request.query_params)
        given.is_valid(raise_exception=True)
        try:
            found = record_search(given.validated_data["q"], per_entity=given.validated_data["limit"])
        except BadQuery as exc:
            return _bad(exc)
        for group in found["groups"]:
            for hit in group["results"]:
                hit["url"] = _trace_url(request, group["entity"], hit["zoho_id"])
        return Response(found)


def _path_parameters() -> list[OpenApiParameter]:
    """The record's entity (a registry entity pulled as a list of its own, or an alias of one) and its Zoho id,
    as the schema's enum and pattern: what the views answer 400 to is not schema-valid either."""
    traced = [name for name in entity_choices() if canonical(name) in REGISTRY]
    return [
        OpenApiParameter("entity", OpenApiTypes.STR, OpenApiParameter.PATH, enum=traced,
                         description="the record's entity"),
        OpenApiParameter("zoho_id", OpenApiTypes.STR, OpenApiParameter.PATH,
                         pattern=f"^[0-9]{{1,{ZOHO_ID_MAX_DIGITS}}}$", description="the record's Zoho id"),
    ]


class _RecordView(JsonErrorsMixin, APIView):
    permission_classes = [IsAdminUser]

    def get_throttles(self) -> list[BaseThrottle]:
        # A comparison or a re-fetch costs a Zoho call: throttled like the other writes.
        if self.request.method == "POST" or self.request.query_params.get("compare") in ("true", "1", "yes"):
            self.throttle_scope = "tds_write"
            return [ScopedRateThrottle()]
        return []


class RecordTraceView(_RecordView):
    @extend_schema(operation_id="tds_record_trace",
                   summary="One record's trace: row, lines, audit timeline, events, runs, dead letters",
                   parameters=[*_path_parameters(), TraceQuerySerializer],
                   responses={200: TraceSerializer, 404: NOT_FOUND, 429: THROTTLED, 502: ZOHO_FAILED, **ERRORS})
    def get(self, request: Request, entity: str, zoho_id: str) -> Response:
        given = TraceQuerySerializer(data=request.query_params)
        given.is_valid(raise_exception=True)
        try:
            trace = record_trace(entity, zoho_id, as_of=parse_as_of(given.validated_data.get("as_of")))
        except RecordMissing as exc:
            return Response(error_body("not_found", str(exc)), status=status.HTTP_404_NOT_FOUND)
        except TraceError as exc:
            return _bad(exc)
        if given.validated_data["compare"]:
            try:
                trace["comparison"] = record_compare(entity, zoho_id).as_dict()
            except ZohoHasNoRecord as exc:
                return Response(error_body("not_found", str(exc)), status=status.HTTP_404_NOT_FOUND)
            except ZohoAnswer as exc:
                return Response(error_body("zoho_failed", str(exc)), status=status.HTTP_502_BAD_GATEWAY)
        return Response(trace)


class RecordRefetchView(_RecordView):
    @extend_schema(operation_id="tds_record_refetch",
                   summary="Fetch the record from Zoho (one API call) and apply it through the inbox",
                   parameters=_path_parameters(), request=None,
                   responses={202: RefetchSerializer, 404: NO_ROUTE, 429: THROTTLED, 502: ZOHO_FAILED, **ERRORS})
    def post(self, request: Request, entity: str, zoho_id: str) -> Response:
        try:
            applied = record_refetch_apply(entity, zoho_id)
        except ZohoHasNoRecord as exc:
            return Response(error_body("not_found", str(exc)), status=status.HTTP_404_NOT_FOUND)
        except ZohoAnswer as exc:
            return Response(error_body("zoho_failed", str(exc)), status=status.HTTP_502_BAD_GATEWAY)
        except TraceError as exc:
            return _bad(exc)
        return Response({"status": "duplicate" if applied.duplicate else "stored",
                         "inbox_event_id": applied.inbox_event_id, "comparison": applied.comparison.as_dict()},
                        status=status.HTTP_202_ACCEPTED)
