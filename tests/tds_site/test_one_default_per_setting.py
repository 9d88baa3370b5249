"""Each setting has one default, in settings.py: code reads ``settings.X`` and never restates a
fallback with ``getattr(settings, "X", default)`` (two defaults drift apart)."""
from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

from sync.config import TUNABLES

ROOT = Path(__file__).resolve().parents[2]


def _restated(text: str) -> list[int]:
    """Lines of ``getattr(settings, name, default)`` calls."""
    return [node.lineno for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
            and len(node.args) == 3 and isinstance(node.args[0], ast.Name) and node.args[0].id == "settings"]


def test_no_module_restates_a_setting_default() -> None:
    # Migrations are left as written: they run against the settings of any later release.
    packages = ("sync", "odoo", "dashboard", "zoho", "tds_site")
    sources = [p for package in packages for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]
    assert len(sources) > 100
    assert [f"{p.relative_to(ROOT)}:{line}" for p in sources for line in _restated(p.read_text())] == []


def test_the_check_sees_a_restated_default() -> None:
    assert _restated('LIMIT = getattr(settings, "TDS_X", 3)\nNAME = getattr(settings, "TDS_Y")\n') == [1]


def test_every_run_time_tunable_has_its_default_in_settings() -> None:
    assert [key for key in TUNABLES if not hasattr(settings, key)] == []
