from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import Role
from needlepoint.accounts.services import staff_invite
from needlepoint.core.admin import ScopedAdmin, ScopedTabularInline
from needlepoint.scheduling.models import WorkingHours


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
        if obj is None:
            kwargs["form"] = StaffInviteForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Model | None = None):  # type: ignore[override]
        if obj is None:
            return ["username", "first_name", "last_name", "email", "role", "title"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None):  # type: ignore[override]
        return self.readonly_fields if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
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
            request=request,
        )
        # The admin goes on with `obj` (log entry, redirect): make it the saved profile.
        obj.__dict__.update(profile.__dict__)
