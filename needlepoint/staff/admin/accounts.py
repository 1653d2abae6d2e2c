from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model
from django.http import HttpRequest

from needlepoint.accounts.models import ScopeRule, StaffProfile
from needlepoint.accounts.roles import Role
from needlepoint.accounts.services import (
    SCOPE_FLAGS,
    StaffChangeRefused,
    scope_rule_change_check,
    scope_rule_update,
    staff_invite,
    staff_profile_change,
    staff_profile_change_check,
)
from needlepoint.scheduling.models import WorkingHours
from needlepoint.staff.admin.core import ScopedAdmin, ScopedTabularInline


class WorkingHoursInline(ScopedTabularInline):
    """Weekly hours per location; several rows a day make breaks."""

    model = WorkingHours


# Staff accounts are managed through their staff profile, inside one organization; the
# global user and group admins would cross organizations.
for model in (User, Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class StaffInviteForm(forms.ModelForm):
    """Adding a staff member creates their login and mails them a link to set a password."""

    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField()

    class Meta:
        model = StaffProfile
        fields = ["role", "title"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError("That username is taken.")
        return username

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError("Someone already signs in with that email.")
        return email


PROFILE_FIELDS = ("role", "title", "licence_type", "licence_number", "licence_expires_on")


def _refusal_error(refused: StaffChangeRefused) -> ValidationError:
    return ValidationError({refused.field or NON_FIELD_ERRORS: refused.message})


class StaffChangeForm(forms.ModelForm):
    """A staff member's profile as the configuration site edits it. Every rule of who may
    change what is asked of `accounts.services` before anything is saved."""

    reason = forms.CharField(
        required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text="Required when competencies change: it goes into the audit log.",
    )
    actor: StaffProfile | None = None

    class Meta:
        model = StaffProfile
        fields = [*PROFILE_FIELDS, "competencies", "locations"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.actor is None or self.errors:
            return data
        try:
            staff_profile_change_check(
                profile=StaffProfile.objects.get(pk=self.instance.pk),
                actor=self.actor,
                changes={k: data[k] for k in PROFILE_FIELDS if k in data},
                competencies=data.get("competencies"),
                reason=data.get("reason", ""),
            )
        except StaffChangeRefused as refused:
            raise _refusal_error(refused) from None
        return data


@admin.register(StaffProfile)
class StaffProfileAdmin(ScopedAdmin):
    list_display = ["display_name", "role", "title", "licence_expires_on"]
    list_filter = ["role"]
    readonly_fields = ["user"]
    filter_horizontal = ["competencies", "locations"]
    inlines = [WorkingHoursInline]

    def get_inlines(self, request: HttpRequest, obj: Model | None):  # type: ignore[override]
        return self.inlines if obj is not None else []

    def get_form(self, request: HttpRequest, obj: Model | None = None, **kwargs: Any):  # type: ignore[override]
        kwargs["form"] = StaffInviteForm if obj is None else StaffChangeForm
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            form.actor = getattr(request, "staff", None)
        return form

    def get_fields(self, request: HttpRequest, obj: Model | None = None):  # type: ignore[override]
        if obj is None:
            return ["username", "first_name", "last_name", "email", "role", "title"]
        return ["user", *PROFILE_FIELDS, "competencies", "locations", "reason"]

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None):  # type: ignore[override]
        if obj is None:
            return []
        staff = getattr(request, "staff", None)
        if staff is not None and staff.pk == obj.pk:  # nobody changes their own (A9)
            return ["user", "role", "licence_type", "licence_number", "licence_expires_on",
                    "competencies"]  # fmt: skip
        if staff is not None and staff.role != Role.MEDICAL_DIRECTOR:
            return ["user", "competencies"]  # granted by the medical director only
        return ["user"]

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        if change:
            data = form.cleaned_data
            staff_profile_change(
                profile=obj,  # type: ignore[arg-type]
                actor=request.staff,  # type: ignore[attr-defined]
                changes={k: data[k] for k in PROFILE_FIELDS if k in data},
                competencies=data.get("competencies"),
                reason=data.get("reason", ""),
                by=request.actor,
            )
            obj.refresh_from_db()
            return
        data = form.cleaned_data
        profile = staff_invite(
            organization=request.organization,  # type: ignore[attr-defined]
            username=data["username"],
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            role=Role(data["role"]),
            title=data.get("title", ""),
            by=request.actor,
        )
        # The admin goes on with `obj` (log entry, redirect): make it the saved profile.
        obj.__dict__.update(profile.__dict__)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Competencies were set by the service in save_model, with its rules and audit row;
        # the form saves the rest (locations) and the inlines.
        form.cleaned_data.pop("competencies", None)
        super().save_related(request, form, formsets, change)


SCOPE_CHANGES = (*SCOPE_FLAGS, "legal_basis", "source_ids")


class ScopeRuleForm(forms.ModelForm):
    reason = forms.CharField(
        widget=forms.Textarea({"rows": 2}), help_text="Why: it goes into the audit log."
    )
    actor: StaffProfile | None = None

    class Meta:
        model = ScopeRule
        fields = list(SCOPE_CHANGES)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.actor is None or self.errors:
            return data
        try:
            scope_rule_change_check(
                rule=ScopeRule.objects.get(pk=self.instance.pk),
                actor=self.actor,
                changes={k: data[k] for k in SCOPE_CHANGES if k in data},
                reason=data.get("reason", ""),
            )
        except StaffChangeRefused as refused:
            raise _refusal_error(refused) from None
        return data


@admin.register(ScopeRule)
class ScopeRuleAdmin(ScopedAdmin):
    """The scope-of-practice table (docs/clinical-rules.md §8): one row per licence type, seeded
    with the New Mexico defaults. The owner reads it; only the medical director changes a row, with
    a reason (`accounts.services.scope_rule_update`)."""

    list_display = ["__str__", *SCOPE_FLAGS, "source_ids"]
    form = ScopeRuleForm
    fields = ["licence_type", *SCOPE_FLAGS, "legal_basis", "source_ids", "reason"]
    readonly_fields = ["licence_type"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # one row per licence type, seeded

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        staff = getattr(request, "staff", None)
        return self._allowed(request) and getattr(staff, "role", None) == Role.MEDICAL_DIRECTOR

    def get_form(self, request: HttpRequest, obj: Model | None = None, **kwargs: Any):  # type: ignore[override]
        form = super().get_form(request, obj, **kwargs)
        form.actor = getattr(request, "staff", None)
        return form

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        data = form.cleaned_data
        scope_rule_update(  # its form's clean asked the same rules first
            rule=ScopeRule.objects.get(pk=obj.pk),
            actor=request.staff,  # type: ignore[attr-defined]
            changes={k: data[k] for k in SCOPE_CHANGES},
            reason=data["reason"],
            by=request.actor,
        )
