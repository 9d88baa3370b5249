"""The query parameters of the dashboard's pages, checked against what they can be.

A filter value goes into a query; PostgreSQL refuses some text outright (a NUL character) and
anything else that matches no run only hides the page's content. So each filter is a choice among
the values it can take: what the run ledger holds for that column, plus the names the registry and
the model know. A value outside them is reported on the page and the filter left out.
"""
from __future__ import annotations

from django import forms
from django.http import QueryDict

from sync.entities import valid_names
from sync.models import RunType, SyncRun
from sync.selectors.pages import RUN_FILTERS

# Values a filter can take before any run of that kind is in the ledger.
KNOWN = {"entity": valid_names, "status": lambda: list(SyncRun.Status.values),
         "trigger": lambda: list(SyncRun.Trigger.values), "run_type": lambda: list(RunType.values)}


class HistoryFilterForm(forms.Form):
    """entity, run_type, status and trigger of the sync history; ``seen`` = values in the ledger."""

    def __init__(self, data: QueryDict, *, seen: dict[str, list[str]]) -> None:
        super().__init__(data)
        self.values = {name: sorted(set(seen.get(name, [])) | set(KNOWN[name]())) for name in RUN_FILTERS}
        for name, values in self.values.items():
            self.fields[name] = forms.ChoiceField(choices=[("", "all"), *((v, v) for v in values)], required=False)

    def filters(self) -> dict[str, str]:
        """The valid filters (blank when not given or refused)."""
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in RUN_FILTERS}

    def problems(self) -> list[str]:
        """One line per refused filter, quoting what was given."""
        return [f"No {name.replace('_', ' ')} {self.data.get(name, '')!r:.60}: that filter was left out."
                for name in RUN_FILTERS if name in self.errors]


class ItemFilterForm(forms.Form):
    """The dead-letter and queue lists' filters: entity, a class or status, and text in the error.

    ``kind`` names the second filter (``error_class`` or ``status``) and its values. Text is
    bounded and may not hold NUL (PostgreSQL refuses it in a query).
    """

    entity = forms.ChoiceField(required=False, choices=[])
    text = forms.CharField(required=False, max_length=200, strip=True)

    def __init__(self, data: QueryDict, *, kind: str, values: list[str]) -> None:
        super().__init__(data)
        self.kind = kind
        self.options = {"entity": [("", "all"), *((v, v) for v in valid_names())],
                        kind: [("", "all"), *((v, v) for v in values)]}
        self.fields["entity"] = forms.ChoiceField(choices=self.options["entity"], required=False)
        self.fields[kind] = forms.ChoiceField(choices=self.options[kind], required=False)

    def clean_text(self) -> str:
        text = self.cleaned_data.get("text") or ""
        if "\x00" in text:
            raise forms.ValidationError("no NUL characters")
        return text

    def filters(self) -> dict[str, str]:
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in ("entity", self.kind, "text")}

    def choices(self) -> list[tuple[str, list[tuple[str, str]], str]]:
        """(name, options, chosen) of each select, for the filter form."""
        chosen = self.filters()
        return [(name, options, chosen[name]) for name, options in self.options.items()]

    def problems(self) -> list[str]:
        return [f"No {name.replace('_', ' ')} {self.data.get(name, '')!r:.60}: that filter was left out."
                for name in ("entity", self.kind, "text") if name in self.errors]
