"""The API and the dashboard read the pipeline's tables through sync.selectors (and the metrics module),
never on their own: one filter of the runs, one read of the dead letters, so both surfaces show the
same rows for the same question. Read from the source (``ast``), not by importing.

Held here:
- no module under sync/api/ nor dashboard/views*.py names ``<Model>.objects`` for the run ledger, the
  dead letters, the queue or the inbox (under any name it was imported as);
- nothing but URL configurations imports the webhook views (sync.api.webhooks): what they count is
  read from sync.metrics.rejections.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PIPELINE_MODELS = {"SyncRun", "DeadLetter", "SyncQueueItem", "InboxEvent"}
WEBHOOK_VIEWS = "sync.api.webhooks"
PACKAGES = ("sync", "zoho", "odoo", "dashboard", "tds_site", "bench")


def _surface_modules() -> list[Path]:
    return sorted([*(ROOT / "sync" / "api").rglob("*.py"), *(ROOT / "dashboard").glob("views*.py")])


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _model_aliases(tree: ast.Module) -> set[str]:
    """The names the pipeline's models go by in this module (``from sync.models import SyncRun as Run``)."""
    names = set(PIPELINE_MODELS)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names |= {alias.asname for alias in node.names if alias.name in PIPELINE_MODELS and alias.asname}
    return names


def manager_uses(source: str) -> list[str]:
    """``Model.objects`` (or ``sync.models.Model.objects``) of a pipeline model, as 'line: Model'."""
    tree = ast.parse(source)
    models = _model_aliases(tree)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and node.attr == "objects"):
            continue
        owner = node.value
        name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else ""
        if name in models:
            found.append(f"{node.lineno}: {name}.objects")
    return found


def webhook_view_imports(source: str, module: str) -> list[str]:
    """Imports of sync.api.webhooks, whatever the spelling, as 'line: statement'."""
    found = []
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names
                      if a.name == WEBHOOK_VIEWS or a.name.startswith(WEBHOOK_VIEWS + ".")]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import webhooks, from .webhooks import x
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
            if any(t == WEBHOOK_VIEWS or t.startswith(WEBHOOK_VIEWS + ".") for t in targets):
                found.append(f"{node.lineno}: from {'.' * node.level}{node.module or ''} import "
                             + ", ".join(a.name for a in node.names))
    return found


@pytest.mark.parametrize("path", _surface_modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_surfaces_read_the_pipeline_tables_through_selectors(path: Path) -> None:
    uses = manager_uses(path.read_text())
    assert not uses, f"{path.relative_to(ROOT)} queries a pipeline table itself (use sync.selectors): {uses}"


def test_only_url_configurations_import_the_webhook_views() -> None:
    offenders = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            module = _module_name(path)
            if module == WEBHOOK_VIEWS or module.endswith("urls") or "migrations" in path.parts:
                continue
            offenders += [f"{module} {hit}" for hit in webhook_view_imports(path.read_text(), module)]
    assert not offenders, f"import what the webhook views count from sync.metrics.rejections: {offenders}"


@pytest.mark.parametrize(("source", "hits"), [
    ("from sync.models import SyncRun\nSyncRun.objects.filter(pk=1)", ["2: SyncRun.objects"]),
    ("from sync.models import DeadLetter as Letter\nLetter.objects.all()", ["2: Letter.objects"]),
    ("import sync.models\nsync.models.InboxEvent.objects.count()", ["2: InboxEvent.objects"]),
    ("from sync.models import SyncQueueItem\nSyncQueueItem.Status.PENDING", []),
    ("from sync.models import AuthToken\nAuthToken.objects.all()", []),
    ("runs.objects_seen()", []),
])
def test_the_manager_rule_names_what_it_should_and_nothing_else(source: str, hits: list[str]) -> None:
    assert manager_uses(source) == hits


@pytest.mark.parametrize(("source", "module", "hits"), [
    ("from sync.api.webhooks import rejected_count", "sync.api.queue", 1),
    ("from sync.api import webhooks", "sync.api.queue", 1),
    ("from . import webhooks", "sync.api.queue", 1),
    ("from .webhooks import REJECTION_REASONS", "sync.api.queue", 1),
    ("import sync.api.webhooks", "dashboard.views", 1),
    ("from sync.api import webhooks_other", "sync.api.queue", 0),
    ("from sync.metrics.rejections import rejections", "sync.api.queue", 0),
    ("from zoho import webhooks", "sync.api.queue", 0),
])
def test_the_import_rule_names_what_it_should_and_nothing_else(source: str, module: str, hits: int) -> None:
    assert len(webhook_view_imports(source, module)) == hits
