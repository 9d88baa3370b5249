"""No import cycles among the project's modules at module level.

A cycle hidden by an import inside a function works until someone moves that import up, and it
makes the modules impossible to read bottom-up. The graph is read from the source (``ast``), not by
importing: each module's top-level imports (``if TYPE_CHECKING:`` blocks excluded, since they never
run); importing ``a.b.c`` also counts as importing ``a`` and ``a.b``, which Python runs first (except
for the importer's own packages, which are already running).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("sync", "zoho", "odoo", "dashboard", "tds_site")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts and "." not in path.stem:  # gunicorn.conf.py is no module
                found[_module_name(path)] = path
    return found


def _type_checking(node: ast.stmt) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _top_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Import statements that run when the module is imported: module body, and inside module-level
    if/try/with blocks (never inside a def or class body's methods)."""
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If | ast.Try | ast.With) and not _type_checking(node):
            for field in ("body", "orelse", "finalbody", "handlers"):
                for child in getattr(node, field, []):
                    pending.extend(child.body if isinstance(child, ast.ExceptHandler) else [child])
        elif isinstance(node, ast.ClassDef):
            pending.extend(child for child in node.body if not isinstance(child, ast.FunctionDef))
    return found


def _every_import(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]


def _graph(*, everywhere: bool = False) -> dict[str, set[str]]:
    """Module -> the project modules it imports; ``everywhere`` also counts imports inside functions."""
    read = _every_import if everywhere else _top_level_imports
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: list[str] = []
        for node in read(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets += [alias.name for alias in node.names]
                continue
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            targets.append(base)
            targets += [f"{base}.{alias.name}" for alias in node.names]  # `from pkg import module`
        for target in targets:
            # Importing a.b.c runs a and a.b first; a module's own packages are already running.
            parts = target.split(".")
            for end in range(1, len(parts) + 1):
                prefix = ".".join(parts[:end])
                if prefix in modules and prefix != name and not name.startswith(prefix + "."):
                    graph[name].add(prefix)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_graph_is_read() -> None:
    graph = _graph()
    assert {"sync.pipeline.kick", "sync.models"} <= graph["sync.pipeline.deadletter"]
    assert "sync.pipeline.quarantine" in graph["sync.pipeline.queue"]
    assert "sync.tunables" in graph["sync.models.tds"]
    assert "sync.models" in graph["sync.config"]


def test_cycles_are_found() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def _sync_cycles(graph: dict[str, set[str]]) -> list[str]:
    return [" <-> ".join(cycle) for cycle in _cycles(graph) if any(name.startswith("sync") for name in cycle)]


def test_no_import_cycles_among_sync_modules() -> None:
    cycles = _sync_cycles(_graph())
    assert not cycles, "module-level import cycles:\n" + "\n".join(cycles)


def test_no_cycle_hides_behind_an_import_inside_a_function() -> None:
    """An import inside a function is for start-up order (the app registry) or cost, never to hide a
    cycle: counting those imports too, the sync modules still form no cycle. Break one by moving the
    shared piece into a module below both (as ``sync/tunables.py`` and ``sync/pipeline/kick.py``)."""
    cycles = _sync_cycles(_graph(everywhere=True))
    assert not cycles, "import cycles through imports inside functions:\n" + "\n".join(cycles)


# The engine and the Zoho side know nothing of the apps built on them: an app registers its kinds
# of run and its schedules with the engine (odoo/engine.py), never the other way round.
BELOW_THE_APPS = ("sync", "zoho")
APPS_ON_TOP = ("odoo",)


def _names_an_app(text: str) -> bool:
    return any(text == app or text.startswith(app + ".") for app in APPS_ON_TOP)


def test_the_engine_never_imports_an_app_built_on_it() -> None:
    graph = _graph(everywhere=True)
    found = sorted(f"{name} imports {target}" for name, targets in graph.items()
                   if name.split(".")[0] in BELOW_THE_APPS for target in targets if _names_an_app(target))
    assert not found, "\n".join(found)


def test_the_engine_names_no_task_of_an_app_built_on_it() -> None:
    """A dotted path in a string ("odoo.tasks.api_odoo") is an import django-q2 does later."""
    found = []
    for name, path in _modules().items():
        if name.split(".")[0] not in BELOW_THE_APPS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and _names_an_app(node.value) \
                    and "." in node.value:
                found.append(f"{name}: {node.value!r}")
    assert not found, "\n".join(found)


def test_the_checks_see_an_import_of_an_app() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "probe.py"
        source.write_text("def f():\n    from odoo.services.push import products_push\n"
                          "TASK = 'odoo.tasks.api_odoo'\n", encoding="utf-8")
        tree = ast.parse(source.read_text(encoding="utf-8"))
    assert [node.module for node in _every_import(tree) if isinstance(node, ast.ImportFrom)] == [
        "odoo.services.push"]
    assert any(isinstance(n, ast.Constant) and _names_an_app(n.value) for n in ast.walk(tree))
