"""manage.py tds_trace: the trace as text or JSON; compare and apply against the sandbox; one line on errors."""
from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from sync.pipeline.workers import drain_queue
from sync.pull.run import pull_entity
from tests.sync.helpers import first_id
from tests.trace.helpers import write_item

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> str:
    out = StringIO()
    call_command("tds_trace", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_trace_as_text_and_as_json():
    write_item("1001", name="Blue widget", sku="W-1", rate=5, modified="2026-11-01T10:00:00+0000")
    write_item("1001", name="Renamed", sku="W-1", rate=5, modified="2026-11-02T10:00:00+0000")
    text = _run("items", "1001")
    assert text.startswith("items 1001: W-1 Renamed")
    assert "update name: Blue widget -> Renamed" in text and "open dead letters (0):" in text
    body = json.loads(_run("product", "1001", "--json"))
    assert body["entity"] == "items" and body["fields"]["name"] == "Renamed"
    assert [e["action"] for e in body["timeline"]] == ["update", "create"]


@pytest.mark.django_db
@pytest.mark.parametrize("args, message", [
    (["gizmos", "1"], "unknown entity 'gizmos'"), (["items", "x1"], "is not a Zoho id"),
    (["items", "42"], "no items record with Zoho id 42"), (["items", "42", "--as-of", "soon"], "ISO 8601")])
def test_errors_are_one_line(args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)


@pytest.mark.django_db
def test_an_error_from_the_shell_is_one_line_without_a_traceback():
    done = subprocess.run([sys.executable, "manage.py", "tds_trace", "gizmos", "1"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert [line for line in done.stderr.splitlines() if line.strip()] == [
        next(line for line in done.stderr.splitlines() if "unknown entity" in line)]


@pytest.mark.django_db(transaction=True)
def test_compare_and_apply_against_the_sandbox(sb, zclient):
    for entity in ("warehouses", "items"):
        assert pull_entity(entity=entity, client=zclient, full=True).status == "completed"
    item_id = first_id(sb, "items")
    assert "compare: the mirror matches Zoho" in _run("items", item_id, "--compare")
    sb.store.edit("items", item_id, {"rate": 41.5})
    compared = _run("items", item_id, "--compare")
    assert "compare: 1 field(s) differ (mirror -> Zoho):" in compared and "-> 41.5" in compared
    body = json.loads(_run("items", item_id, "--compare", "--json"))
    assert [d["field"] for d in body["comparison"]["differences"]] == ["unit_price"]
    stored = _run("items", item_id, "--apply", "--wait", "0")
    assert "not applied yet: is a worker running?" in stored
    drain_queue()
    assert "compare: the mirror matches Zoho" in _run("items", item_id, "--compare")
    # The same version again is the same inbox event (its dedupe key): nothing new to apply.
    assert "stored as an event before; nothing new to apply" in _run("items", item_id, "--apply", "--wait", "5")
