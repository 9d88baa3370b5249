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
