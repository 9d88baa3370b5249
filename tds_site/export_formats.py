"""Admin export formats whose text cells cannot run as spreadsheet formulae.

A product named `=HYPERLINK("http://…","click")` exported to CSV becomes a live
formula when the file is opened in Excel or LibreOffice. django-import-export's
own escape only drops one leading `=` (`==1+1` stays a formula, `+`, `-`, `@`
are not covered), so text cells starting with any formula trigger get a leading
apostrophe, the form spreadsheets show as plain text. Numbers stay numbers.
"""
from __future__ import annotations

import re
from typing import Any

from import_export.formats import base_formats

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def escape_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class _EscapeFormulae:
    def _escape_formulae(self, dataset: Any) -> None:  # called by export_data when the setting is on
        rows = [[escape_cell(cell) for cell in row] for row in dataset]
        del dataset[:]
        dataset.extend(rows)


class CSV(_EscapeFormulae, base_formats.CSV):
    pass


class TSV(_EscapeFormulae, base_formats.TSV):
    pass


EXPORT_FORMATS = [CSV, TSV, base_formats.JSON, base_formats.YAML, base_formats.HTML]
