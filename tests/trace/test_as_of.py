"""The record as of a time, rebuilt from the audit trail."""
from __future__ import annotations

import pytest
from django.utils import timezone

from sync.trace.record import TraceError, parse_as_of, record_trace
from tests.trace.helpers import write_item

pytestmark = pytest.mark.django_db


def test_as_of_undoes_every_later_change_and_before_the_create_there_was_nothing():
    before_create = timezone.now()
    write_item("1001", name="First", sku="W-1", rate=5, modified="2026-11-01T10:00:00+0000")
    after_create = timezone.now()
    write_item("1001", name="Second", sku="W-1", rate=6, modified="2026-11-02T10:00:00+0000")
    after_second = timezone.now()
    write_item("1001", name="Third", sku="W-2", rate=6, modified="2026-11-03T10:00:00+0000")

    first = record_trace("items", "1001", as_of=after_create)["as_of"]
    assert first["existed"] and first["changes_undone"] == 4  # name, rate; name, sku
    assert (first["fields"]["name"], first["fields"]["unit_price"], first["fields"]["sku"]) == ("First", "5", "W-1")
    second = record_trace("items", "1001", as_of=after_second)["as_of"]
    assert (second["fields"]["name"], second["fields"]["sku"], second["changes_undone"]) == ("Second", "W-1", 2)
    now = record_trace("items", "1001", as_of=timezone.now())["as_of"]
    assert (now["fields"]["name"], now["changes_undone"]) == ("Third", 0)
    gone = record_trace("items", "1001", as_of=before_create)["as_of"]
    assert (gone["existed"], gone["fields"]) == (False, {})


@pytest.mark.parametrize("raw", ["yesterday", "2026-13-01T00:00:00Z", "2026-11-30T25:00", "x" * 50])
def test_a_time_that_is_not_iso_is_refused_in_one_line(raw):
    with pytest.raises(TraceError, match="is not an ISO 8601 time"):
        parse_as_of(raw)


def test_a_date_alone_and_a_naive_time_are_utc():
    assert parse_as_of("2026-11-30").isoformat() == "2026-11-30T00:00:00+00:00"
    assert parse_as_of("2026-11-30T12:00:00").isoformat() == "2026-11-30T12:00:00+00:00"
    assert parse_as_of("2026-11-30T12:00:00Z").isoformat() == "2026-11-30T12:00:00+00:00"
    assert parse_as_of("") is None
