"""Odoo search domains (prefix notation) evaluated over in-memory records.

Supports '&', '|', '!' and the leaf operators a sync uses: =, !=, in, not in, <, <=, >, >=,
like, ilike, not like, not ilike, =like, =ilike. The negative ones match empty values too, as
Odoo's SQL does (`NOT ILIKE ... OR IS NULL`). A domain that mentions `active` switches off the implicit
active filter, as in Odoo's ORM.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Record = dict[str, Any]
Predicate = Callable[[Record], bool]


def mentions_active(domain: list[Any]) -> bool:
    return any(isinstance(leaf, (list, tuple)) and leaf and leaf[0] == "active" for leaf in domain)


def _negate(f: Predicate) -> Predicate:
    return lambda r: not f(r)


def _both(a: Predicate, b: Predicate) -> Predicate:
    return lambda r: a(r) and b(r)


def _either(a: Predicate, b: Predicate) -> Predicate:
    return lambda r: a(r) or b(r)


def compile_domain(domain: list[Any], known: set[str]) -> Predicate:
    """A predicate for `domain`; ValueError for a malformed domain or an unknown field (as Odoo)."""
    stack: list[Predicate] = []
    for token in reversed(list(domain)):
        if token == "!":
            inner = stack.pop()
            stack.append(_negate(inner))
        elif token in ("&", "|"):
            left, right = stack.pop(), stack.pop()
            stack.append(_both(left, right) if token == "&" else _either(left, right))
        elif isinstance(token, (list, tuple)) and len(token) == 3:
            stack.append(_leaf(*token, known=known))
        else:
            raise ValueError(f"Invalid leaf {token!r}")
    # Leaves left side by side are joined with an implicit '&'.
    return lambda r: all(pred(r) for pred in stack)


def _leaf(field: str, operator: str, value: Any, *, known: set[str]) -> Predicate:
    if field not in known:
        raise ValueError(f"Invalid field {field!r} in leaf {(field, operator, value)!r}")
    test = _OPERATORS.get(operator)
    if test is None:
        raise ValueError(f"Invalid operator {operator!r} in leaf {(field, operator, value)!r}")
    return lambda r: test(_plain(r.get(field, False)), value)


def _plain(value: Any) -> Any:
    """A many2one is compared by its id."""
    return value[0] if isinstance(value, (list, tuple)) and len(value) == 2 and isinstance(value[0], int) else value


def _like(pattern: str, *, anchored: bool, flags: int) -> re.Pattern[str]:
    body = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in str(pattern))
    return re.compile(body if anchored else f".*{body}.*", flags | re.DOTALL)


def _match(value: Any, pattern: Any, *, anchored: bool, flags: int) -> bool:
    return value not in (False, None) and bool(_like(pattern, anchored=anchored, flags=flags).fullmatch(str(value)))


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b or (b is False and a in (None, "", False)),
    "!=": lambda a, b: not (a == b or (b is False and a in (None, "", False))),
    "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b,
    "<": lambda a, b: a is not False and a < b,
    "<=": lambda a, b: a is not False and a <= b,
    ">": lambda a, b: a is not False and a > b,
    ">=": lambda a, b: a is not False and a >= b,
    "like": lambda a, b: _match(a, b, anchored=False, flags=0),
    "ilike": lambda a, b: _match(a, b, anchored=False, flags=re.IGNORECASE),
    "not like": lambda a, b: not _match(a, b, anchored=False, flags=0),
    "not ilike": lambda a, b: not _match(a, b, anchored=False, flags=re.IGNORECASE),
    "=like": lambda a, b: _match(a, b, anchored=True, flags=0),
    "=ilike": lambda a, b: _match(a, b, anchored=True, flags=re.IGNORECASE),
}
