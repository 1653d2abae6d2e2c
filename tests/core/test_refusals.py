"""One refusal shape (core/refusals.py): every family is a Refusal with a code and a status,
and a page shows it the same way."""

from __future__ import annotations

import pytest
from django import forms

from needlepoint.accounts.services import StaffRefused
from needlepoint.clinical.custody import CustodyRefused
from needlepoint.clinical.photos import PhotoRefused
from needlepoint.core.refusals import Refusal, refusal_form_error, refusal_page_status
from needlepoint.intake.consents import ConsentError, ConsentNotConfigured
from needlepoint.intake.services import ReviewError
from needlepoint.patients.merge import MergeRefused
from needlepoint.scheduling.services import BookingRuleError, IdempotencyConflict, SlotUnavailable


@pytest.mark.parametrize(
    ("refusal", "code", "status"),
    [
        (BookingRuleError("series_interval", "Too soon."), "series_interval", 422),
        (SlotUnavailable("Taken."), "slot_unavailable", 409),
        (IdempotencyConflict(), "idempotency_conflict", 409),
        (CustodyRefused("sample_expired", "Expired."), "sample_expired", 409),
        (CustodyRefused("invalid", "Spin too short.", field="minutes"), "invalid", 422),
        (CustodyRefused("witness_not_verified", "Not them."), "witness_not_verified", 403),
        (PhotoRefused("invalid_image", "Not a photo."), "invalid_image", 422),
        (PhotoRefused("file_too_large", "Too big."), "file_too_large", 413),
        (PhotoRefused("record_locked", "Signed."), "record_locked", 409),
        (ConsentError("Type your name.", field="typed_name"), "consent_refused", 422),
        (ConsentNotConfigured("No form."), "consent_not_configured", 409),
        (ReviewError("Give a reason."), "review_refused", 409),
        (MergeRefused("Same record."), "merge_refused", 409),
        (StaffRefused("not_owner", "Owners only."), "not_owner", 409),
    ],
)
def test_every_family_is_a_refusal_with_its_code_and_status(refusal, code, status):
    assert isinstance(refusal, Refusal)
    assert (refusal.code, refusal.status) == (code, status)
    assert str(refusal) == refusal.message


def test_a_field_refusal_names_its_field_for_the_api():
    refusal = ConsentError("Type your name.", field="typed_name")
    assert refusal.errors() == [
        {"field": "typed_name", "message": "Type your name.", "type": "consent_refused"}
    ]
    assert Refusal("not_visit_day", "Tomorrow.").errors() is None


class _NameForm(forms.Form):
    typed_name = forms.CharField()


def test_a_page_shows_the_refusal_beside_its_field_or_on_top():
    form = _NameForm({"typed_name": "x"})
    assert form.is_valid()
    refusal_form_error(form, ConsentError("Type your full name.", field="typed_name"))
    refusal_form_error(form, ConsentError("This visit is booked for someone else."))
    refusal_form_error(form, ConsentError("Odd.", field="not_on_this_form"))
    assert form.errors["typed_name"] == ["Type your full name."]
    assert form.non_field_errors() == ["This visit is booked for someone else.", "Odd."]


def test_a_page_says_400_where_the_api_says_422():
    assert refusal_page_status(BookingRuleError("series_interval", "Too soon.")) == 400
    assert refusal_page_status(CustodyRefused("sample_expired", "Expired.")) == 409
