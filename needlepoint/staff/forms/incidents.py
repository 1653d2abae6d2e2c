"""The incidents page's filters: a kind and a date range, read from the query string."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms

from needlepoint.clinical.selectors import IncidentListKind

# Dates outside this range are refused with a message (a year 1 or 9999 bound would
# overflow once turned into a time in the clinic's zone).
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
RANGE_MESSAGE = "Give a date between 1900-01-01 and 2999-12-31."


class IncidentFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "All kinds"), *IncidentListKind.choices],
        error_messages={"invalid_choice": "Choose a kind from the list."},
    )
    since = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Give the start date as YYYY-MM-DD."},
    )
    until = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Give the end date as YYYY-MM-DD."},
    )

    def _clean_bound(self, name: str) -> date | None:
        value: date | None = self.cleaned_data.get(name)
        if value is not None and not EARLIEST <= value <= LATEST:
            raise forms.ValidationError(RANGE_MESSAGE, code="out_of_range")
        return value

    def clean_since(self) -> date | None:
        return self._clean_bound("since")

    def clean_until(self) -> date | None:
        return self._clean_bound("until")

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError("The start date is after the end date.", code="order")
        return cleaned

    def bounds(self, zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
        """The range as times in the clinic's zone: from the start of the first day to
        the end of the last (exclusive)."""
        since: date | None = self.cleaned_data.get("since")
        until: date | None = self.cleaned_data.get("until")
        return (
            datetime.combine(since, time.min, tzinfo=zone) if since else None,
            datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone) if until else None,
        )
