"""One place decides what a trigger runs: sync.jobs.job_target, used by the API, the BFF and the dashboard."""
import ast
from pathlib import Path

import pytest

from sync.entities import DERIVED
from sync.jobs import job_target
from sync.models import RunType

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("kind", "options", "target"), [
    ("pull", {"entity": "items", "full": True}, ("items", RunType.FULL)),
    ("pull", {"entity": "invoices", "full": False}, ("invoices", RunType.INCREMENTAL)),
    ("stock", {"dry_run": True}, ("stock", RunType.STOCK)),
    ("images", {}, ("images", RunType.IMAGES)),
    ("compare", {"deep": True, "carry_out": False}, ("", RunType.COMPARE)),
    ("compare", {"carry_out": True}, ("", RunType.COMPARE_SYNC)),
    ("odoo", {}, ("products", RunType.ODOO)),
])
def test_each_kind_of_trigger_runs_one_entity_and_run_type(kind: str, options: dict, target: tuple) -> None:
    assert job_target(kind=kind, options=options) == target


def test_every_derived_name_is_a_trigger_of_its_own() -> None:
    assert {name: job_target(kind=name, options={}) for name in DERIVED} == \
        {name: (name, spec.run_type) for name, spec in DERIVED.items()}


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown kind of run 'nap'"):
        job_target(kind="nap", options={})


def test_no_surface_picks_a_run_type_itself() -> None:
    """The surfaces start runs with job_start; job_enqueue, which takes a run type, is left to sync.jobs."""
    paths = [*(ROOT / "sync" / "api").rglob("*.py"), *(ROOT / "dashboard").glob("views*.py")]
    calls = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            func = node.func if isinstance(node, ast.Call) else None
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in ("job_enqueue", "run_queue"):
                calls.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not calls
