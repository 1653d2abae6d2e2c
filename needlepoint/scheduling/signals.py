"""Retire cached availability set-ups when the configuration they copy changes.

A decoupled side effect, the one kind of work docs/style.md lets signals do: whoever edits opening
hours, rooms, staff or services (admin, services, the demo loader) need not know that
`scheduling.setup` keeps snapshots."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save

from needlepoint.accounts.models import ScopeRule, StaffProfile
from needlepoint.catalog.models import Service, ServicePhase
from needlepoint.resources.models import Closure, Device, Location, OpeningHours, Room
from needlepoint.scheduling.models import WorkingHours
from needlepoint.scheduling.setup import setup_changed

SET_UP_MODELS = (
    Location,
    OpeningHours,
    Closure,
    Room,
    Device,
    Service,
    ServicePhase,
    StaffProfile,
    ScopeRule,
    WorkingHours,
)
SET_UP_RELATIONS = (
    StaffProfile.locations.through,
    StaffProfile.competencies.through,
    Service.required_competencies.through,
)


def _changed(sender, **kwargs) -> None:  # type: ignore[no-untyped-def]
    setup_changed()


def _user_changed(sender, instance, update_fields=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
    # Logins save the user too (last_login); only names and the active flag matter here.
    if update_fields is not None and not {"is_active", "first_name", "last_name"} & set(
        update_fields
    ):
        return
    if hasattr(instance, "staff_profile"):
        setup_changed()


def connect() -> None:
    for model in SET_UP_MODELS:
        post_save.connect(_changed, sender=model, dispatch_uid=f"setup-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"setup-delete-{model.__name__}")
    for through in SET_UP_RELATIONS:
        m2m_changed.connect(_changed, sender=through, dispatch_uid=f"setup-m2m-{through.__name__}")
    post_save.connect(_user_changed, sender=get_user_model(), dispatch_uid="setup-user")
