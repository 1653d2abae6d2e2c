"""Checking what the patient gives to sign: the typed name against the booking, and the
drawn signature (a non-blank PNG of sensible size, re-encoded).
"""

from __future__ import annotations

import re
import unicodedata
from io import BytesIO

from PIL import Image

from needlepoint.intake.consents.errors import ConsentError
from needlepoint.patients.models import Patient

MAX_SIGNATURE_BYTES = 512 * 1024
MAX_SIGNATURE_PIXELS = 4_000_000
# A signature needs at least this many dark pixels: a tap or a speck is not a signature.
MIN_INK_PIXELS = 40
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
BLANK_SIGNATURE = "Please draw your signature in the box, with your finger, a stylus or the mouse."
NOT_A_SIGNATURE = "The signature did not arrive as an image. Please clear the box and sign again."


def _name_words(value: str) -> list[str]:
    """Lower-case words without accents; apostrophes and dots dropped, hyphens split."""
    decomposed = unicodedata.normalize("NFKD", value)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = re.sub(r"['’`.]", "", plain)
    return re.sub(r"[\W_]+", " ", plain).split()


def typed_name_clean(*, patient: Patient, typed_name: str) -> str:
    """The typed name with its spaces tidied, if it is the patient's first (or preferred)
    and last name; middle names may come between. Case and accents do not matter."""
    cleaned = " ".join(typed_name.split())
    if not cleaned:
        raise ConsentError("Please type your full name to sign.", field="typed_name")
    if len(cleaned) > 200:
        raise ConsentError(
            "That name is too long: please type your first and last name.", field="typed_name"
        )
    typed = _name_words(cleaned)
    last = _name_words(patient.last_name)
    for first in (_name_words(patient.first_name), _name_words(patient.preferred_name)):
        if (
            first
            and len(typed) >= len(first) + len(last)
            and typed[: len(first)] == first
            and typed[len(typed) - len(last) :] == last
        ):
            return cleaned
    if len(typed) == 1 and last:
        raise ConsentError(
            "Please type your first and last name, not just one of them.", field="typed_name"
        )
    raise ConsentError(
        "The name you typed does not match the name on this booking. Please type your first "
        "and last name as you gave them when you booked (capital letters and accents do not "
        "matter).",
        field="typed_name",
    )


def signature_png_clean(data: bytes) -> bytes:
    """Decode the drawn signature, refuse anything that is not a non-blank PNG of sensible
    size, and return it re-encoded (nothing but pixels kept)."""
    if not data:
        raise ConsentError(BLANK_SIGNATURE, field="signature")
    if len(data) > MAX_SIGNATURE_BYTES:
        raise ConsentError(
            "The signature image is too large. Please clear the box and sign again.",
            field="signature",
        )
    if not data.startswith(PNG_MAGIC):
        raise ConsentError(NOT_A_SIGNATURE, field="signature")
    try:
        with Image.open(BytesIO(data), formats=["PNG"]) as image:
            if image.width * image.height > MAX_SIGNATURE_PIXELS:
                raise ConsentError(
                    "The signature image is too large. Please clear the box and sign again.",
                    field="signature",
                )
            image.load()
            drawing = image.convert("RGBA")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ConsentError(NOT_A_SIGNATURE, field="signature") from exc
    on_white = Image.alpha_composite(Image.new("RGBA", drawing.size, "white"), drawing)
    dark_pixels = sum(on_white.convert("L").histogram()[:160])
    if dark_pixels < MIN_INK_PIXELS:
        raise ConsentError(BLANK_SIGNATURE, field="signature")
    out = BytesIO()
    drawing.save(out, format="PNG", optimize=True)
    return out.getvalue()
