"""Is a command line from a deploy file (a unit's ExecStart, a compose service's command) one TDS runs?

`python manage.py NAME ARGS` must name a management command whose own parser accepts ARGS;
`gunicorn ARGS` must parse with gunicorn's parser, load tds_site/gunicorn.conf.py and name a WSGI
module that exists. A `sh -c "a && b"` line is checked part by part.
"""
from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path

from django.core.management import get_commands, load_command_class
from django.core.management.base import CommandError
from gunicorn.config import Config

from tests.deploy.stack import ROOT


def command_lines(command: str | list[str]) -> list[list[str]]:
    """The simple commands in ``command``: a `sh -c` string is split on `&&`; `exec` is dropped."""
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    if argv[:2] == ["sh", "-c"]:
        return [part for chunk in argv[2].split("&&") for part in command_lines(chunk.strip())]
    return [argv[1:] if argv[:1] == ["exec"] else argv]


def manage_check(argv: list[str]) -> str:
    """``argv`` is `[python] manage.py NAME ARGS...` with a real command and arguments it accepts; NAME."""
    assert "manage.py" in argv, argv
    assert Path(argv[0]).name.startswith("python"), argv
    name, args = argv[argv.index("manage.py") + 1], argv[argv.index("manage.py") + 2:]
    commands = get_commands()
    assert name in commands, f"manage.py has no command {name!r}"
    parser = load_command_class(commands[name], name).create_parser("manage.py", name)
    try:
        parser.parse_args(args)
    except CommandError as exc:
        raise AssertionError(f"manage.py {name} refuses {args}: {exc}") from exc
    return name


def gunicorn_check(argv: list[str]) -> list[str]:
    """``argv`` is gunicorn with the project's config and WSGI application; returns its --bind values."""
    assert Path(argv[0]).name == "gunicorn", argv
    try:
        options = Config().parser().parse_args(argv[1:])
    except SystemExit as exc:
        raise AssertionError(f"gunicorn refuses {argv[1:]}") from exc
    assert options.config == "tds_site/gunicorn.conf.py" and (ROOT / options.config).is_file()
    [app] = options.args
    module, _, attribute = app.partition(":")
    source = ROOT / (module.replace(".", "/") + ".py")
    assigned = {target.id for node in ast.walk(ast.parse(source.read_text())) if isinstance(node, ast.Assign)
                for target in node.targets if isinstance(target, ast.Name)}
    assert attribute in assigned, f"{source} defines no {attribute}"
    return list(options.bind or [])


def check(argv: list[str]) -> str:
    """Either kind; the command's name (`gunicorn` or the manage.py command)."""
    if Path(argv[0]).name == "gunicorn":
        gunicorn_check(argv)
        return "gunicorn"
    return manage_check(argv)


def settings_read() -> set[str]:
    """Every environment variable TDS's code reads (settings and the gunicorn config included)."""
    pattern = re.compile(r"\b(?:env(?:_[a-z]+)?|os\.environ\.get|os\.getenv)\(\s*\"([A-Z][A-Z0-9_]*)\"")
    names: set[str] = set()
    for package in ("tds_site", "sync", "zoho", "odoo", "dashboard"):
        for path in (ROOT / package).rglob("*.py"):
            if path.name != "test_settings.py":
                names.update(pattern.findall(path.read_text()))
    return names
