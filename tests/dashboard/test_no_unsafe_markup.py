"""Data never reaches a page unescaped: no |safe, autoescape off or mark_safe on anything but a literal.

Templates are scanned as text, Python code as syntax trees (a call's arguments, not comments or
strings). Data for scripts (charts) goes through ``json_script``, never inline in a <script>.
Something that legitimately needs an exception goes in ALLOWED with the reason.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", ".git", "static", "node_modules", "staticfiles", "media", "__pycache__"}
# (path relative to the repository, finding) -> why it is safe. Empty: nothing needs it.
ALLOWED: dict[tuple[str, str], str] = {}

TEMPLATE_RULES = {
    "|safe filter": re.compile(r"\|\s*safe(seq)?\b"),
    "autoescape off": re.compile(r"{%\s*autoescape\s+off\s*%}"),
    "filter safe": re.compile(r"{%\s*filter\s+[^%]*\bsafe(seq)?\b"),
    "data inline in a <script>": re.compile(r"<script\b[^>]*>[^<]*({{|{%)", re.S),
}
# call name -> index of the argument that must be a literal string
LITERAL_ONLY = {"mark_safe": 0, "SafeString": 0, "SafeText": 0, "format_html": 0, "format_html_join": 1}


def template_findings(text: str) -> list[str]:
    return [f"{name} at line {text.count(chr(10), 0, m.start()) + 1}"
            for name, rule in TEMPLATE_RULES.items() for m in rule.finditer(text)]


def python_findings(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name not in LITERAL_ONLY:
            continue
        index = LITERAL_ONLY[name]
        arg = node.args[index] if len(node.args) > index else None
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            found.append(f"{name}() on a non-literal at line {node.lineno}")
    return found


def _files(suffix: str) -> list[Path]:
    return sorted(p for p in ROOT.rglob(f"*{suffix}") if not SKIP_DIRS & set(p.relative_to(ROOT).parts))


def _unallowed(path: Path, findings: list[str]) -> list[str]:
    rel = str(path.relative_to(ROOT))
    return [f"{rel}: {f}" for f in findings if (rel, f.split(" at line")[0]) not in ALLOWED]


def test_no_template_marks_data_safe() -> None:
    templates = _files(".html")
    assert any(p.name == "configuration.html" for p in templates)  # the scan sees the project's templates
    problems = [p for path in templates for p in _unallowed(path, template_findings(path.read_text()))]
    assert problems == []


def test_no_python_code_marks_data_safe() -> None:
    sources = _files(".py")
    assert any(p.name == "views_triggers.py" for p in sources)
    problems = [p for path in sources for p in _unallowed(path, python_findings(path.read_text()))]
    assert problems == []


def test_every_exception_is_still_needed() -> None:
    for (rel, finding), reason in ALLOWED.items():
        path = ROOT / rel
        text = path.read_text()
        findings = python_findings(text) if rel.endswith(".py") else template_findings(text)
        assert any(f.startswith(finding) for f in findings), f"{rel}: {finding} is no longer there ({reason})"


@pytest.mark.parametrize("template", [
    '<input value="{{ i.value|default:\'\'|safe }}">', "{{ x | safe }}", "{{ rows|safeseq|join:',' }}",
    "{% autoescape off %}{{ x }}{% endautoescape %}", "{% filter safe %}{{ x }}{% endfilter %}",
    "<script>var data = {{ data }};</script>",
    '<script type="text/javascript">\n  const x = "{% url \'a\' %}";</script>',
])
def test_the_template_scan_catches_each_form(template: str) -> None:
    assert template_findings(template)


@pytest.mark.parametrize("template", [
    '{{ data|json_script:"chart" }}', "{{ value|safe_name }}", "{{ unsafe }}",
    '<script src="{% static \'vendor/htmx/htmx.min.js\' %}" defer></script>',
])
def test_the_template_scan_passes_what_is_escaped(template: str) -> None:
    assert template_findings(template) == []


@pytest.mark.parametrize("source", [
    "mark_safe(value)", "mark_safe(f'<b>{value}</b>')", "mark_safe('<b>' + value + '</b>')",
    "django.utils.safestring.mark_safe(value)", "SafeString(value)", "format_html(f'<a>{x}</a>')",
    "format_html('<a>%s</a>' % x)", "format_html(template, x)", "format_html_join('', fmt, rows)",
])
def test_the_python_scan_catches_each_form(source: str) -> None:
    assert python_findings(source)


@pytest.mark.parametrize("source", [
    "mark_safe('<br>')", "format_html('<a href=\"{}\">{}</a>', url, text)",
    "format_html_join('', '<li>{}</li>', rows)", "# mark_safe(value) in a comment", "text = 'mark_safe(x)'",
])
def test_the_python_scan_passes_literals(source: str) -> None:
    assert python_findings(source) == []
