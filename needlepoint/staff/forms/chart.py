"""Forms of the chart at the chair: each parses one small step, the services decide."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django import forms

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.services import Credential
from needlepoint.catalog.models import Indication, Product, ProductKind, TreatmentArea
from needlepoint.clinical.chart import AFTERCARE_VERSION, cartridge_scan_parse
from needlepoint.clinical.custody import Step
from needlepoint.clinical.models import Severity, Technique, TreatmentRecord
from needlepoint.core.dates import local_day
from needlepoint.resources.models import Device, DeviceKind, DeviceStatus

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
SCAN = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}


class Scoped:
    """The chart page shows many forms at once: each gets its own id prefix, so a label
    never points at a same-named field of another form."""

    scope = "chart"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.scope}_%s")
        super().__init__(*args, **kwargs)


class IdentityForm(Scoped, forms.Form):
    """Two identifiers as the patient states them (ID1): name with date of birth or MRN."""

    scope = "identity"

    full_name = forms.CharField(max_length=200, label="Full name, as the patient says it")
    date_of_birth = forms.DateField(required=False, widget=DATE)
    record_number = forms.CharField(
        max_length=20, required=False, label="or record number (MRN)", widget=forms.TextInput(SCAN)
    )

    def clean(self):
        data = super().clean()
        if not data.get("date_of_birth") and not (data.get("record_number") or "").strip():
            raise forms.ValidationError("Give the date of birth or the record number too.")
        return data


def _clock(day: date, value: time | None, zone) -> datetime | None:
    return datetime.combine(day, value, tzinfo=zone) if value else None


class AnaestheticForm(Scoped, forms.Form):
    scope = "anaesthetic"
    no_anaesthetic = forms.BooleanField(required=False, label="No anaesthetic used")
    product = forms.ModelChoiceField(queryset=Product.objects.none(), required=False)
    lot_number = forms.CharField(max_length=60, required=False, widget=forms.TextInput(SCAN))
    lot_expires_on = forms.DateField(
        required=False, widget=DATE, label="Lot expiry (first time this lot is used)"
    )
    applied = forms.TimeField(required=False, widget=TIME, label="Applied at")
    removed = forms.TimeField(required=False, widget=TIME, label="Removed at")

    def __init__(self, *args, record: TreatmentRecord, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        self.fields["product"].queryset = Product.objects.filter(
            organization_id=record.organization_id, kind=ProductKind.ANAESTHETIC, is_active=True
        )

    def times(self) -> dict[str, object]:
        """The applied and removed clock times as moments on the visit's day."""
        data = self.cleaned_data
        appointment = self.record.appointment
        zone = appointment.location.zone
        day = local_day(appointment.starts_at, zone)
        return {
            "applied_at": _clock(day, data["applied"], zone) if data.get("applied") else None,
            "removed_at": _clock(day, data["removed"], zone) if data.get("removed") else None,
        }


class DeviceForm(Scoped, forms.Form):
    scope = "device"
    device = forms.ModelChoiceField(queryset=Device.objects.none(), label="Pen")
    sheath_used = forms.BooleanField(required=False, label="Disposable sheath on the handpiece")

    def __init__(self, *args, record: TreatmentRecord, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["device"].queryset = Device.objects.filter(
            location_id=record.appointment.location_id,
            kind__in=[DeviceKind.PEN, DeviceKind.ROLLER],
            status=DeviceStatus.IN_SERVICE,
        )
        self.fields["device"].label_from_instance = lambda d: (
            f"{d.name} — {d.make} {d.model}, max {d.max_depth_mm} mm"
        )


class CartridgeForm(Scoped, forms.Form):
    """What a scanner types (a GS1 string with lot, serial and expiry), or the parts typed."""

    scope = "cartridge"

    scan = forms.CharField(
        max_length=200,
        required=False,
        label="Scan the cartridge box",
        widget=forms.TextInput({**SCAN, "data-scan": "cartridge"}),
    )
    lot = forms.CharField(max_length=60, required=False, widget=forms.TextInput(SCAN))
    serial = forms.CharField(max_length=60, required=False, widget=forms.TextInput(SCAN))
    expires_on = forms.DateField(required=False, widget=DATE, label="Expiry")

    def clean(self):

        data = super().clean()
        scanned = cartridge_scan_parse(data.get("scan") or "")
        if scanned is not None:
            data["lot"] = data.get("lot") or scanned.lot
            data["serial"] = data.get("serial") or scanned.serial
            data["expires_on"] = data.get("expires_on") or scanned.expires_on
        elif (data.get("scan") or "").strip() and not data.get("serial"):
            data["serial"] = data["scan"].strip()
        if not (data.get("lot") or "").strip() or not (data.get("serial") or "").strip():
            raise forms.ValidationError(
                "The cartridge needs its lot and serial: scan the box's barcode or type both."
            )
        return data


class LineForm(Scoped, forms.Form):
    scope = "line"
    area = forms.ModelChoiceField(queryset=TreatmentArea.objects.none())
    indication = forms.ModelChoiceField(queryset=Indication.objects.none(), required=False)
    depth_mm = forms.DecimalField(
        max_digits=3,
        decimal_places=2,
        min_value=Decimal("0.05"),
        max_value=Decimal("5"),
        label="Depth (mm)",
        widget=forms.NumberInput({"step": "0.05", "inputmode": "decimal"}),
    )
    passes = forms.IntegerField(min_value=1, max_value=12, initial=3)
    technique = forms.ChoiceField(
        choices=Technique.choices, widget=forms.RadioSelect, initial=Technique.GLIDE
    )
    endpoint_reached = forms.BooleanField(
        required=False, label="Endpoint reached (even erythema, pinpoint bleeding)"
    )
    speed = forms.CharField(max_length=20, required=False, label="Speed setting")

    def __init__(self, *args, record: TreatmentRecord, **kwargs):
        super().__init__(*args, **kwargs)
        areas = TreatmentArea.objects.filter(organization_id=record.organization_id)
        self.fields["area"].queryset = areas
        self.fields["area"].label_from_instance = lambda a: (
            f"{a.name} ({a.min_depth_mm}–{a.max_default_mm} mm)"
        )
        self.fields["indication"].queryset = Indication.objects.filter(
            organization_id=record.organization_id
        )


class OrderForm(Scoped, forms.Form):
    """The medical director's order for a deeper depth (§1)."""

    scope = "order"

    area = forms.ModelChoiceField(queryset=TreatmentArea.objects.none())
    max_depth_mm = forms.DecimalField(
        max_digits=3,
        decimal_places=2,
        min_value=Decimal("0.05"),
        max_value=Decimal("5"),
        label="Up to (mm)",
        widget=forms.NumberInput({"step": "0.05", "inputmode": "decimal"}),
    )
    valid_until = forms.DateField(widget=DATE)
    reason = forms.CharField(max_length=300)

    def __init__(self, *args, record: TreatmentRecord, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = TreatmentArea.objects.filter(
            organization_id=record.organization_id
        )


class ProductForm(Scoped, forms.Form):
    scope = "product"
    product = forms.ModelChoiceField(queryset=Product.objects.none())
    lot_number = forms.CharField(max_length=60, widget=forms.TextInput(SCAN))
    expires_on = forms.DateField(
        required=False, widget=DATE, label="Lot expiry (first time this lot is used)"
    )
    areas = forms.CharField(max_length=200, required=False, label="Where (blank: all areas)")

    def __init__(self, *args, record: TreatmentRecord, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(
            organization_id=record.organization_id, is_active=True
        ).exclude(kind=ProductKind.ANAESTHETIC)


class DrawForm(IdentityForm):
    """Identifiers checked again at the draw (ID1), then the label prints (ID2)."""

    scope = "draw"


STEP_CHOICES = [
    (Step.SPIN.value, "Spin"),
    (Step.EXTRACT.value, "Extract"),
    (Step.APPLY.value, "Apply"),
    (Step.DISCARD.value, "Discard"),
]


class PrpStepForm(Scoped, forms.Form):
    scope = "step"
    code = forms.CharField(
        max_length=20,
        label="Scan the tube's label",
        widget=forms.TextInput({**SCAN, "data-scan": "tube"}),
    )
    step = forms.ChoiceField(choices=STEP_CHOICES)
    g_force = forms.IntegerField(required=False, label="g-force")
    minutes = forms.IntegerField(required=False)
    volume_ml = forms.DecimalField(
        max_digits=5, decimal_places=1, required=False, label="Volume (mL)"
    )
    area = forms.CharField(max_length=40, required=False, label="Applied to")
    identity_confirmed = forms.BooleanField(
        required=False, label="The patient stated name and date of birth; they match the label"
    )
    witness_username = forms.CharField(
        max_length=150,
        required=False,
        label="or a second clinician confirms: their username",
        widget=forms.TextInput({"autocomplete": "off", "autocapitalize": "none"}),
    )
    witness_password = forms.CharField(
        max_length=200,
        required=False,
        label="and their own password",
        widget=forms.PasswordInput({"autocomplete": "off"}),
    )

    def __init__(self, *args, record: TreatmentRecord, staff: StaffProfile, **kwargs):
        super().__init__(*args, **kwargs)

    def witness(self) -> Credential | None:
        """The second clinician's own credential, when they typed one."""
        username = (self.cleaned_data.get("witness_username") or "").strip()
        if not username:
            return None
        return Credential(username, self.cleaned_data.get("witness_password") or "")


class AdverseEventForm(Scoped, forms.Form):
    scope = "adverse"
    kind = forms.CharField(max_length=100, label="What happened")
    severity = forms.ChoiceField(choices=Severity.choices, widget=forms.RadioSelect)
    action = forms.CharField(max_length=300, label="What was done")


class PostCareForm(Scoped, forms.ModelForm):
    scope = "postcare"
    aftercare_given = forms.BooleanField(
        required=False, label=f"Aftercare instructions given ({AFTERCARE_VERSION})"
    )

    class Meta:
        model = TreatmentRecord
        fields = ["pain_vas", "immediate_response", "waste_disposed"]
        labels = {
            "pain_vas": "Pain (0–10)",
            "immediate_response": "Immediate response",
            "waste_disposed": "Sharps and biohazard waste disposed of",
        }
        widgets = {"pain_vas": forms.NumberInput({"min": 0, "max": 10, "inputmode": "numeric"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["aftercare_given"].initial = bool(self.instance.aftercare_version)
        self.fields["pain_vas"].max_value = 10
        self.fields["pain_vas"].validators.append(_at_most_ten)

    def record_changes(self) -> dict[str, object]:
        data = self.cleaned_data
        return {
            "pain_vas": data["pain_vas"],
            "immediate_response": data["immediate_response"],
            "waste_disposed": data["waste_disposed"],
            "aftercare_version": AFTERCARE_VERSION if data["aftercare_given"] else "",
        }


def _at_most_ten(value: int | None) -> None:
    if value is not None and value > 10:
        raise forms.ValidationError("Pain is scored 0 to 10.")


class AddendumForm(Scoped, forms.Form):
    scope = "addendum"
    text = forms.CharField(max_length=2000, widget=forms.Textarea({"rows": 3}), label="Addendum")
