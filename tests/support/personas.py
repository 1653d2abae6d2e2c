"""Named people shared by every test: one clinic's staff in each role, a patient with a
portal login, and an outsider clinic whose records nobody else may reach."""

from __future__ import annotations

import time
from dataclasses import dataclass

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY as AUTHENTICATION_METHODS_USER_SESSION_KEY,
)
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import User
from django.test import Client

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import Role
from needlepoint.core.models import Organization
from needlepoint.patients.models import Patient
from needlepoint.resources.models import Location
from tests.support import factories

# A valid base32 secret known to the tests, so they can compute real TOTP codes.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@dataclass
class Cast:
    clinic: Organization
    location: Location
    owner: User
    director: User
    practitioner: User
    frontdesk: User
    patient_user: User
    patient: Patient
    other_patient: Patient
    outsider_clinic: Organization
    outsider: User
    outsider_patient: Patient

    def user(self, persona: str) -> User | None:
        return None if persona == "anonymous" else getattr(self, PERSONA_USERS[persona])


PERSONA_USERS = {
    "patient": "patient_user",
    "frontdesk": "frontdesk",
    "practitioner": "practitioner",
    "director": "director",
    "owner": "owner",
}
PERSONAS = ["anonymous", *PERSONA_USERS]


def make_staff(organization: Organization, role: Role, username: str) -> User:
    user = factories.UserFactory(username=username)
    StaffProfile.objects.create(
        user=user, organization=organization, role=role, licence_type=factories.licence_for(role)
    )
    TOTP.activate(user, TEST_TOTP_SECRET)
    return user


def make_cast() -> Cast:
    clinic = factories.OrganizationFactory(name="Sandia Test Clinic", slug="sandia-test")
    location = factories.LocationFactory(organization=clinic, name="Nob Hill")
    patient_user = factories.UserFactory(username="pat")
    patient = factories.PatientFactory(
        organization=clinic, first_name="Paloma", last_name="Quintana", user=patient_user
    )
    other_patient = factories.PatientFactory(
        organization=clinic, first_name="Ramona", last_name="Begay"
    )
    outsider_clinic = factories.OrganizationFactory(name="Elsewhere Spa", slug="elsewhere")
    return Cast(
        clinic=clinic,
        location=location,
        owner=make_staff(clinic, Role.OWNER, "own"),
        director=make_staff(clinic, Role.MEDICAL_DIRECTOR, "dir"),
        practitioner=make_staff(clinic, Role.PRACTITIONER, "prac"),
        frontdesk=make_staff(clinic, Role.FRONT_DESK, "desk"),
        patient_user=patient_user,
        patient=patient,
        other_patient=other_patient,
        outsider_clinic=outsider_clinic,
        outsider=make_staff(outsider_clinic, Role.OWNER, "outsider"),
        outsider_patient=factories.PatientFactory(
            organization=outsider_clinic, first_name="Oscar", last_name="Elsewhere"
        ),
    )


def sign_in(client: Client, user: User | None, *, mfa: bool = True) -> Client:
    """Log a user in as the real flow leaves them: password, then (for staff) TOTP."""
    if user is None:
        return client
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    now = time.time()
    records = [{"method": "password", "at": now, "username": user.username}]
    if mfa and Authenticator.objects.filter(user=user).exists():
        records.append({"method": "mfa", "at": now, "type": "totp"})
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session[AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()
    return client
