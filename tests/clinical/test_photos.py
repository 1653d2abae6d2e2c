"""Standardized photos (docs/clinical-rules.md §7): uploads decoded and re-encoded
(docs/security-targets.md D3), stored without metadata and upright (D4), served only through a
permission-checked view (D5), locked records, marketing use under its own authorization (I2), the
staff pages and `POST /api/v1/treatment-records/{id}/photos`."""

from __future__ import annotations

import hashlib
import io
import json
import struct
import uuid
import zlib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image

from needlepoint.accounts.roles import Role
from needlepoint.clinical.custody import CustodyRefused
from needlepoint.clinical.models import Photo, RecordStatus, TreatmentRecord
from needlepoint.clinical.photos import (
    MAX_BYTES,
    PhotoRefused,
    capture_clean,
    capture_differences,
    photo_process,
    photo_thumbnail,
)
from needlepoint.clinical.selectors import (
    patient_photo_pairs,
    photo_baseline,
    photo_marketing_list,
    record_photos_context,
)
from needlepoint.clinical.services import (
    photo_add,
    photo_marketing_approve,
    photo_retire,
)
from needlepoint.core.models import AuditAction, AuditEvent
from tests.support.api_support import API, ApiWorld, bearer, make_api_world
from tests.support.clinical_support import chart_ready
from tests.support.images import jpeg
from tests.support.personas import make_staff, sign_in
from tests.support.scheduling_world import at

# --- Images made in the tests --------------------------------------------------------------


def phone_jpeg() -> bytes:
    """What a phone sends: stored sideways with EXIF orientation 6 (turn 90° clockwise),
    GPS coordinates, the camera's make, an XMP packet and a comment."""
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (35.0, 5.0, 1.0), 3: "W", 4: (106.0, 39.0, 2.0)}  # GPS
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>Albuquerque</rdf:RDF></x:xmpmeta>'
    return jpeg(exif=exif.tobytes(), xmp=xmp, comment=b"Paloma at the clinic")


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge image (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


HTML_AS_JPEG = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG_AS_JPEG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script></svg>"
)


# --- D3: only decodable raster images, within limits ----------------------------------------


@pytest.mark.parametrize(
    "data",
    [HTML_AS_JPEG, SVG_AS_JPEG, b"#!/bin/sh\nrm -rf /\n", b"", jpeg()[:600]],
    ids=["html", "svg", "script", "empty", "truncated"],
)
def test_it_refuses_what_is_not_a_decodable_image(data):
    with pytest.raises(PhotoRefused) as refused:
        photo_process(data)
    assert refused.value.code == "invalid_image"
    assert "not a photo we can read" in refused.value.message


@pytest.mark.parametrize("fmt", ["GIF", "TIFF", "BMP"])
def test_it_accepts_only_camera_formats(fmt):
    out = io.BytesIO()
    Image.new("RGB", (40, 30)).save(out, format=fmt)
    with pytest.raises(PhotoRefused, match="JPEG, PNG or"):
        photo_process(out.getvalue())


def test_it_refuses_a_file_over_15_mb_before_decoding():
    with pytest.raises(PhotoRefused) as refused:
        photo_process(b"\xff\xd8" + b"\0" * MAX_BYTES)
    assert refused.value.code == "file_too_large"
    assert "the limit is 15 MB" in refused.value.message


@pytest.mark.parametrize("size", [(8000, 6000), (20_000, 20_000), (100_000, 100_000)])
def test_it_refuses_a_header_claiming_over_40_megapixels(size):
    with pytest.raises(PhotoRefused) as refused:
        photo_process(png_claiming(*size))
    assert refused.value.code == "image_too_large"
    assert "the limit is 40 megapixels" in refused.value.message


def test_it_refuses_a_small_file_that_decodes_to_a_huge_image():
    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, format="PNG")  # 48 MP of white, a few kB
    assert len(out.getvalue()) < 100_000
    with pytest.raises(PhotoRefused, match="48 megapixels"):
        photo_process(out.getvalue())


# --- D4: no metadata, right way up -----------------------------------------------------------


def test_it_strips_exif_gps_xmp_and_comments_and_keeps_the_orientation():
    original = phone_jpeg()
    opened = Image.open(io.BytesIO(original))
    assert opened.getexif().get_ifd(0x8825) and b"Albuquerque" in original  # the fixture has it

    processed = photo_process(original)

    assert (processed.width, processed.height) == (300, 400)  # turned upright
    stored = Image.open(io.BytesIO(processed.data))
    assert stored.format == "JPEG" and stored.size == (300, 400)
    assert not stored.getexif()
    assert not set(stored.info) & {"exif", "xmp", "icc_profile", "comment"}
    for marker in (b"Exif", b"PhoneMaker", b"Albuquerque", b"adobe:ns:meta", b"Paloma"):
        assert marker not in processed.data
    # The red corner, top-left as stored sideways, is top-right once turned clockwise.
    red, _green, blue = stored.getpixel((290, 10))
    assert red > 180 and blue < 80
    assert processed.original == {"format": "JPEG", "width": 400, "height": 300, "orientation": 6}


def test_it_flattens_transparency_onto_white():
    out = io.BytesIO()
    Image.new("RGBA", (60, 40), (0, 0, 0, 0)).save(out, format="PNG")
    stored = Image.open(io.BytesIO(photo_process(out.getvalue()).data))
    assert stored.mode == "RGB"
    assert min(stored.getpixel((5, 5))) > 240


def test_a_thumbnail_is_small_and_clean():
    processed = photo_process(jpeg((2400, 1800)))
    thumb = Image.open(io.BytesIO(photo_thumbnail(processed.data)))
    assert max(thumb.size) == 480 and thumb.size == (480, 360)


def test_capture_metadata_keeps_known_bounded_values_only():
    clean = capture_clean(
        {
            "camera_label": "Back Camera\x00" + "x" * 500,
            "track_width": 4032,
            "track_height": "3024",
            "facing_mode": "environment",
            "zoom": float("nan"),
            "aligned_to": "not-a-uuid",
            "patient_name": "Paloma Quintana",
        },
        source="camera",
    )
    assert clean["source"] == "camera"
    assert clean["camera_label"].startswith("Back Camera") and len(clean["camera_label"]) == 120
    assert clean["track_width"] == 4032 and "track_height" not in clean
    assert set(clean) == {"source", "camera_label", "track_width", "facing_mode"}
    assert capture_clean("nonsense", source="hacker") == {}


def test_it_says_how_before_and_after_were_taken_differently():
    before = {"source": "camera", "camera_label": "Back", "width": 3000, "height": 4000}
    assert capture_differences(before, dict(before)) == []
    after = {"source": "file", "camera_label": "Front", "width": 4000, "height": 3000}
    warnings = capture_differences(before, after)
    assert any("file upload" in w for w in warnings)
    assert any("“Back” before, “Front” after" in w for w in warnings)
    assert any("portrait before, landscape after" in w for w in warnings)
    smaller = {**before, "width": 900, "height": 1200}
    assert capture_differences(before, smaller) == [
        "Different resolution: 3000×4000 before, 900×1200 after."
    ]


# --- The chart's photos (database) -------------------------------------------------------------


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    """Photos go to a temporary folder, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@dataclass
class Visit:
    aw: ApiWorld
    record: TreatmentRecord

    @property
    def cast(self):
        return self.aw.cast

    @property
    def staff(self):
        return self.aw.cast.practitioner.staff_profile

    def add(self, view="frontal", stage="before", data=None, **extra) -> Photo:
        return photo_add(
            record=self.record,
            view=view,
            stage=stage,
            data=data or jpeg(),
            staff=self.staff,
            **extra,
        )


@pytest.fixture
def visit(cast, time_machine) -> Visit:
    """Paloma's visit on Monday 11 January 2027 at 10:00, its chart open."""
    time_machine.move_to(at(2027, 1, 11, 10), tick=False)
    aw = make_api_world(cast)
    record = chart_ready(aw.appointment, staff=cast.practitioner.staff_profile)
    return Visit(aw, record)


def lock(record: TreatmentRecord) -> None:
    TreatmentRecord.objects.filter(pk=record.pk).update(status=RecordStatus.SIGNED)
    record.refresh_from_db()


def test_a_photo_is_stored_privately_re_encoded_and_audited(visit, media_root):
    photo = visit.add(data=phone_jpeg(), capture={"source": "camera", "camera_label": "Back"})

    assert photo.image.name == f"photos/{visit.cast.clinic.pk}/{photo.public_id}.jpg"
    path = media_root / photo.image.name
    stored = path.read_bytes()
    assert b"Exif" not in stored and b"PhoneMaker" not in stored
    assert (photo.width, photo.height) == (300, 400)
    assert photo.sha256 == hashlib.sha256(stored).hexdigest()
    assert photo.patient_id == visit.cast.patient.pk and photo.organization == visit.cast.clinic
    assert photo.capture["source"] == "camera" and photo.capture["original"]["orientation"] == 6
    row = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(photo.public_id))
    assert row.patient_ref == str(visit.cast.patient.public_id)
    assert row.detail == {
        "view": "frontal",
        "stage": "before",
        "record": str(visit.record.public_id),
    }


def test_a_refused_upload_leaves_no_row_and_no_file(visit, media_root):
    with pytest.raises(PhotoRefused):
        visit.add(data=HTML_AS_JPEG)
    with pytest.raises(PhotoRefused) as refused:
        visit.add(view="upside_down")
    assert refused.value.code == "invalid"
    assert not Photo.objects.exists()
    assert not list(media_root.rglob("*.jpg"))


def test_a_locked_record_takes_no_photo_and_retires_none(visit, media_root):
    photo = visit.add()
    lock(visit.record)
    with pytest.raises(CustodyRefused) as refused:
        visit.add(stage="after")
    assert refused.value.code == "record_locked"
    assert "signed and locked" in refused.value.message
    with pytest.raises(CustodyRefused, match="signed and locked"):
        photo_retire(photo=photo, staff=visit.staff)
    assert Photo.objects.count() == 1 and len(list(media_root.rglob("*.jpg"))) == 1


def test_a_retired_photo_is_kept_but_no_longer_shown(visit):
    first = visit.add()
    photo_retire(photo=first, staff=visit.staff)
    first.refresh_from_db()
    assert first.retired_at is not None
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=str(first.public_id), detail={"retired": True}
    ).exists()
    assert photo_baseline(patient=visit.cast.patient, view="frontal") is None
    assert record_photos_context(visit.record)["photo_panel"].count == 0


def test_the_baseline_is_the_first_before_photo_of_the_view_across_visits(visit, time_machine):
    first = visit.add(now=at(2027, 1, 11, 10, 5))
    visit.add(view="left_oblique", now=at(2027, 1, 11, 10, 6))
    visit.add(stage="after", now=at(2027, 1, 11, 11))
    later = visit.add(now=at(2027, 1, 11, 12))
    assert photo_baseline(patient=visit.cast.patient, view="frontal") == first
    assert photo_baseline(patient=visit.cast.patient, view="close_up") is None
    assert photo_baseline(patient=visit.cast.other_patient, view="frontal") is None
    assert later != first


def test_the_chart_panel_pairs_each_view_and_warns_about_differences(
    visit, django_assert_num_queries
):
    visit.add(capture={"source": "camera", "camera_label": "Back"}, now=at(2027, 1, 11, 10, 5))
    visit.add(capture={"source": "camera", "camera_label": "Back"}, now=at(2027, 1, 11, 10, 6))
    after = visit.add(
        stage="after",
        data=jpeg((300, 400)),
        capture={"source": "file"},
        now=at(2027, 1, 11, 11),
    )
    with django_assert_num_queries(1):
        panel = record_photos_context(visit.record)["photo_panel"]
    assert [slot.view for slot in panel.slots] == [
        "frontal", "left_oblique", "right_oblique", "left_lateral", "right_lateral", "close_up"
    ]  # fmt: skip
    frontal = panel.slots[0]
    assert frontal.after == after and frontal.more == 1
    assert any("file upload" in w for w in frontal.warnings)
    assert any("landscape before, portrait after" in w for w in frontal.warnings)
    assert panel.slots[1].before is None and panel.slots[1].warnings == []
    assert (panel.count, panel.before_count) == (3, 2)


def test_compare_pairs_baseline_with_the_latest_after_or_follow_up(visit):
    baseline = visit.add(now=at(2027, 1, 11, 10, 5))
    visit.add(stage="after", now=at(2027, 1, 11, 11))
    follow_up = visit.add(stage="follow_up", now=at(2027, 1, 11, 12))
    visit.add(view="close_up", stage="after", now=at(2027, 1, 11, 11))
    pairs = patient_photo_pairs(patient=visit.cast.patient)
    assert [(p.view, p.baseline, p.latest) for p in pairs] == [
        ("frontal", baseline, follow_up),
        ("close_up", None, pairs[1].photos[0]),
    ]
    assert len(pairs[0].photos) == 3


# --- I2: marketing use needs its own authorization -------------------------------------------


def _authorize(cast, now):
    from needlepoint.intake.consents import consent_documents_current, consent_sign
    from needlepoint.intake.models import ConsentKind
    from tests.support.images import drawn_png

    document = consent_documents_current(
        organization_id=cast.clinic.pk, kinds=[ConsentKind.MARKETING_PHOTOS]
    )[ConsentKind.MARKETING_PHOTOS]
    return consent_sign(
        patient=cast.patient,
        document=document,
        typed_name="Paloma Quintana",
        signature_png=drawn_png(),
        now=now,
        notify=False,
    )


def test_marketing_needs_the_patients_authorization_and_ends_when_withdrawn(visit, time_machine):
    from needlepoint.intake.consents import consent_withdraw, intake_seed_consents

    clinic = visit.cast.clinic
    intake_seed_consents(organization=clinic)
    photo = visit.add()
    with pytest.raises(PhotoRefused) as refused:
        photo_marketing_approve(photo=photo, staff=visit.staff)
    assert refused.value.code == "marketing_not_authorized"
    assert "Treatment consent does not cover marketing" in refused.value.message
    assert Photo.objects.get(pk=photo.pk).marketing_approved_at is None

    signature = _authorize(visit.cast, at(2027, 1, 11, 9))
    photo_marketing_approve(photo=photo, staff=visit.staff)
    assert list(photo_marketing_list(organization=clinic)) == [photo]
    assert AuditEvent.objects.filter(object_id=str(photo.public_id), action="update").exists()

    time_machine.shift(timedelta(minutes=5))
    consent_withdraw(signature=signature, by_patient=True)
    assert list(photo_marketing_list(organization=clinic)) == []  # at once

    # A new authorization does not bring back photos approved under the withdrawn one.
    time_machine.shift(timedelta(minutes=5))
    _authorize(visit.cast, at(2027, 1, 11, 10, 10))
    assert list(photo_marketing_list(organization=clinic)) == []
    time_machine.shift(timedelta(minutes=5))
    photo_marketing_approve(photo=photo, staff=visit.staff)
    assert list(photo_marketing_list(organization=clinic)) == [photo]
    photo_retire(photo=photo, staff=visit.staff)
    assert list(photo_marketing_list(organization=clinic)) == []


# --- D5: only the permission-checked view serves a photo ----------------------------------------


def image_url(photo: Photo, query: str = "") -> str:
    return reverse("clinical:photo-image", kwargs={"public_id": photo.public_id}) + query


def test_clinicians_get_the_image_privately_and_every_look_is_audited(client, visit):
    photo = visit.add(data=phone_jpeg())
    sign_in(client, visit.cast.practitioner)
    response = client.get(image_url(photo))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["Content-Disposition"] == f'inline; filename="photo-{photo.public_id}.jpg"'
    body = b"".join(response)
    assert body == (Path(photo.image.path)).read_bytes() and b"Exif" not in body
    row = AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(photo.public_id))
    assert row.get().patient_ref == str(visit.cast.patient.public_id)

    thumb = client.get(image_url(photo, "?size=thumb"))
    assert thumb.status_code == 200 and len(b"".join(thumb)) <= len(body)
    download = client.get(image_url(photo, "?download=1"))
    assert download["Content-Disposition"].startswith("attachment;")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(photo.public_id))


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 404), ("patient", 403), ("frontdesk", 403), ("owner", 403), ("director", 200)],
)
def test_the_image_is_hidden_from_everyone_else(client, visit, persona, status):
    photo = visit.add()
    sign_in(client, visit.cast.user(persona))
    response = client.get(image_url(photo))
    assert response.status_code == status
    assert response.get("Content-Type") != "image/jpeg" or status == 200


def test_another_clinics_clinician_gets_404_and_nothing_is_under_media(client, visit):
    photo = visit.add()
    elsewhere = make_staff(visit.cast.outsider_clinic, Role.PRACTITIONER, "elsewhere-rn")
    sign_in(client, elsewhere)
    assert client.get(image_url(photo)).status_code == 404
    unknown = reverse("clinical:photo-image", kwargs={"public_id": uuid.uuid4()})
    assert client.get(unknown).status_code == 404
    sign_in(client, visit.cast.practitioner)
    assert client.get(f"/media/{photo.image.name}").status_code == 404
    assert client.get(f"/{photo.image.name}").status_code == 404


# --- The capture page ---------------------------------------------------------------------------


def capture_url(visit: Visit, query: str = "") -> str:
    return reverse("clinical:photo-capture", kwargs={"public_id": visit.record.public_id}) + query


def chart_url(visit: Visit) -> str:
    return reverse("clinical:record-detail", kwargs={"public_id": visit.record.public_id})


def upload(name: str, data: bytes, content_type: str = "image/jpeg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def test_the_capture_page_allows_the_camera_and_shows_the_baseline_ghost(client, visit):
    baseline = visit.add(view="left_oblique")
    sign_in(client, visit.cast.practitioner)
    response = client.get(capture_url(visit, "?view=left_oblique&stage=after"))
    assert response.status_code == 200
    assert "camera=(self)" in response["Permissions-Policy"]
    body = response.content.decode()
    assert "data-photo-capture" in body and 'capture="environment"' in body
    assert f'src="{image_url(baseline)}"' in body and "data-capture-ghost" in body
    assert "<script>" not in body and "style=" not in body
    assert 'data-view="left_oblique"' in body and 'data-stage="after"' in body
    # Elsewhere the camera stays off.
    assert "camera=()" in client.get(chart_url(visit))["Permissions-Policy"]
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_id=str(visit.record.public_id), detail={"photos": "capture"}
    ).exists()


def test_the_upload_form_works_without_javascript(client, visit):
    sign_in(client, visit.cast.practitioner)
    response = client.post(
        capture_url(visit),
        {"view": "right_lateral", "stage": "before", "file": upload("IMG_0001.JPG", phone_jpeg())},
    )
    assert response.status_code == 302
    assert response["Location"] == chart_url(visit)
    photo = Photo.objects.get()
    assert (photo.view, photo.stage, photo.capture["source"]) == ("right_lateral", "before", "file")
    assert photo.taken_by == visit.staff


def test_the_camera_posts_with_its_settings_and_gets_json(client, visit):
    sign_in(client, visit.cast.practitioner)
    capture = {"camera_label": "Back Camera", "track_width": 1280, "track_height": 720,
               "facing_mode": "environment", "evil": "<script>"}  # fmt: skip
    response = client.post(
        capture_url(visit),
        {"view": "frontal", "stage": "after", "capture": json.dumps(capture),
         "file": upload("capture.jpg", jpeg((1280, 720)))},
        HTTP_ACCEPT="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    answer = response.json()
    photo = Photo.objects.get(public_id=answer["id"])
    assert answer["url"] == image_url(photo) and answer["redirect"] == chart_url(visit)
    assert photo.capture["source"] == "camera" and photo.capture["camera_label"] == "Back Camera"
    assert "evil" not in photo.capture


@pytest.mark.parametrize(
    ("name", "data", "status", "message"),
    [
        ("photo.jpg", HTML_AS_JPEG, 422, "not a photo we can read"),
        ("photo.jpg", SVG_AS_JPEG, 422, "not a photo we can read"),
        ("bomb.png", png_claiming(9000, 9000), 422, "the limit is 40 megapixels"),
        ("huge.jpg", b"\xff\xd8" + b"\0" * MAX_BYTES, 413, "the limit is 15 MB"),
    ],
    ids=["html", "svg", "megapixels", "bytes"],
)
def test_a_bad_upload_is_answered_with_the_reason_never_a_500(
    client, visit, name, data, status, message
):
    sign_in(client, visit.cast.practitioner)
    form = {"view": "frontal", "stage": "before", "file": upload(name, data)}
    response = client.post(capture_url(visit), form)
    assert response.status_code == status
    assert message in response.content.decode()
    form["file"] = upload(name, data)
    as_json = client.post(capture_url(visit), form, HTTP_ACCEPT="application/json")
    assert as_json.status_code == status and message in as_json.json()["message"]
    assert not Photo.objects.exists()


def test_a_missing_file_or_view_is_a_422(client, visit):
    sign_in(client, visit.cast.practitioner)
    response = client.post(capture_url(visit), {"view": "frontal", "stage": "before"})
    assert response.status_code == 422 and "Choose or take a photo" in response.content.decode()
    bad_view = {"view": "sideways", "stage": "before", "file": upload("a.jpg", jpeg())}
    assert client.post(capture_url(visit), bad_view).status_code == 422


def test_a_locked_record_refuses_new_photos_on_the_page(client, visit):
    lock(visit.record)
    sign_in(client, visit.cast.practitioner)
    page = client.get(capture_url(visit))
    assert page.status_code == 200 and "signed and locked" in page.content.decode()
    assert "data-photo-capture" not in page.content.decode()
    form = {"view": "frontal", "stage": "after", "file": upload("a.jpg", jpeg())}
    response = client.post(capture_url(visit), form)
    assert response.status_code == 409 and "signed and locked" in response.content.decode()


def test_retiring_from_the_chart(client, visit):
    photo = visit.add()
    url = reverse("clinical:photo-retire", kwargs={"public_id": photo.public_id})
    sign_in(client, visit.cast.frontdesk)
    assert client.post(url).status_code == 403
    sign_in(client, visit.cast.practitioner)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == chart_url(visit)
    assert Photo.objects.get().retired_at is not None


# --- The compare page ----------------------------------------------------------------------------


def photos_url(visit: Visit) -> str:
    return reverse("clinical:patient-photos", kwargs={"public_id": visit.cast.patient.public_id})


def test_the_compare_page_shows_baseline_and_latest_with_a_slider(client, visit):
    baseline = visit.add(now=at(2027, 1, 11, 10, 5))
    latest = visit.add(stage="after", data=jpeg((300, 400)), now=at(2027, 1, 11, 11))
    sign_in(client, visit.cast.director)
    response = client.get(photos_url(visit))
    assert response.status_code == 200
    body = response.content.decode()
    assert image_url(baseline) in body and image_url(latest) in body
    assert "data-compare-range" in body and "Different orientation" in body
    assert "Not authorized" in body and "Approve for marketing" not in body
    assert "style=" not in body and "<script>" not in body
    assert "camera=()" in response["Permissions-Policy"]


def test_marketing_approval_from_the_compare_page(client, visit):
    from needlepoint.intake.consents import intake_seed_consents

    intake_seed_consents(organization=visit.cast.clinic)
    photo = visit.add()
    approve = reverse("clinical:photo-marketing-approve", kwargs={"public_id": photo.public_id})
    sign_in(client, visit.cast.practitioner)
    refused = client.post(approve)
    assert refused.status_code == 409
    assert "Treatment consent does not cover marketing" in refused.content.decode()

    _authorize(visit.cast, at(2027, 1, 11, 9))
    assert "Approve for marketing" in client.get(photos_url(visit)).content.decode()
    response = client.post(approve)
    assert response.status_code == 302 and response["Location"] == photos_url(visit)
    assert "In marketing use" in client.get(photos_url(visit)).content.decode()
    sign_in(client, visit.cast.frontdesk)
    assert client.post(approve).status_code == 403


# --- The API --------------------------------------------------------------------------------------


def api_post(client, visit: Visit, *, persona="practitioner", record_id=None, **fields):
    data = {"view": "frontal", "stage": "before", "file": upload("p.jpg", jpeg())}
    data.update(fields)
    path = f"{API}/treatment-records/{record_id or visit.record.public_id}/photos"
    return client.post(path, data, **bearer(visit.aw.token(persona)))


def test_the_api_adds_a_photo_and_its_url_serves_it_to_staff(client, visit):
    response = api_post(client, visit, file=upload("p.jpg", phone_jpeg()))
    assert response.status_code == 201, response.content
    answer = response.json()
    photo = Photo.objects.get(public_id=answer["id"])
    assert set(answer) == {"id", "url"}
    assert answer["url"] == f"http://testserver{image_url(photo)}"
    assert photo.capture["source"] == "api" and (photo.width, photo.height) == (300, 400)
    assert client.get(answer["url"]).status_code == 404  # a token is not a session
    sign_in(client, visit.cast.practitioner)
    assert client.get(answer["url"]).status_code == 200


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"file": upload("p.jpg", HTML_AS_JPEG)}, 422, "invalid_image"),
        ({"file": upload("p.jpg", SVG_AS_JPEG, "image/svg+xml")}, 422, "invalid_image"),
        ({"file": upload("p.png", png_claiming(9000, 9000))}, 422, "image_too_large"),
        ({"file": upload("p.jpg", b"\xff\xd8" + b"\0" * MAX_BYTES)}, 413, "file_too_large"),
        ({"view": "top_down"}, 422, "invalid"),
        ({"stage": "during"}, 422, "invalid"),
    ],
    ids=["html", "svg", "megapixels", "bytes", "view", "stage"],
)
def test_the_api_refuses_bad_photos_with_a_code(client, visit, fields, status, code):
    response = api_post(client, visit, **fields)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    if code == "invalid":
        assert response.json()["errors"][0]["field"] in {"view", "stage"}
    assert not Photo.objects.exists()


def test_the_api_refuses_a_locked_record_and_other_clinics(client, visit):
    lock(visit.record)
    response = api_post(client, visit)
    assert response.status_code == 409 and response.json()["code"] == "record_locked"
    assert api_post(client, visit, record_id=uuid.uuid4()).status_code == 404
    from needlepoint.accounts.services import api_token_create

    elsewhere = make_staff(visit.cast.outsider_clinic, Role.PRACTITIONER, "elsewhere-np")
    _token, secret = api_token_create(staff=elsewhere.staff_profile, name="their tablet")
    path = f"{API}/treatment-records/{visit.record.public_id}/photos"
    data = {"view": "frontal", "stage": "before", "file": upload("p.jpg", jpeg())}
    assert client.post(path, data, **bearer(secret)).status_code == 404


@pytest.mark.parametrize(("persona", "status"), [("frontdesk", 403), ("owner", 403)])
def test_the_api_is_for_clinicians(client, visit, persona, status):
    assert api_post(client, visit, persona=persona).status_code == status
    path = f"{API}/treatment-records/{visit.record.public_id}/photos"
    assert client.post(path, {"view": "frontal"}).status_code == 401


def test_the_patient_page_links_to_photos_for_clinicians_only(client, visit):
    url = reverse("patients:patient-detail", kwargs={"public_id": visit.cast.patient.public_id})
    sign_in(client, visit.cast.practitioner)
    assert photos_url(visit) in client.get(url).content.decode()
    sign_in(client, visit.cast.frontdesk)
    assert photos_url(visit) not in client.get(url).content.decode()
