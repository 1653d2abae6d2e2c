"""The photo upload form: the capture page's camera posts it from JavaScript, and the same
form works without JavaScript (a file input that opens the camera on a phone or tablet)."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from needlepoint.clinical.models import PhotoStage, PhotoView

CAPTURE_MAX = 2000  # characters of capture metadata (JSON) accepted from the page


class PhotoUploadForm(forms.Form):
    view = forms.ChoiceField(label="View", choices=PhotoView.choices)
    stage = forms.ChoiceField(label="Stage", choices=PhotoStage.choices)
    file = forms.FileField(
        label="Photo",
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
        error_messages={
            "required": "Choose or take a photo.",
            "empty": "The photo is empty: take it again.",
        },
    )
    capture = forms.CharField(required=False, max_length=CAPTURE_MAX, widget=forms.HiddenInput)

    def clean_capture(self) -> dict[str, Any] | None:
        """The camera's settings as the page read them; unreadable metadata is dropped,
        never a reason to lose the photo."""
        raw = self.cleaned_data.get("capture") or ""
        if not raw:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}
