"""Standardized treatment photos (docs/clinical-rules.md §7, docs/security-targets.md D3/D4): check,
decode and re-encode an upload; shrink a stored photo for a thumbnail; say how two photos were taken
differently. Pure: bytes and plain dicts in, bytes and plain values out (no ORM).

An upload is refused unless it decodes as a raster image (JPEG, PNG or WebP; HTML, SVG or a
script renamed `.jpg` does not), is at most 15 MB and at most 40 megapixels. The size is
checked from the header before the pixels are decoded, so a small file that claims a huge
image (a decompression bomb) is refused cheaply. What is stored is a fresh JPEG: turned
upright by its EXIF orientation, converted to sRGB, and carrying no EXIF, GPS, XMP, ICC
profile or comment.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import uuid
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from needlepoint.clinical.custody import CustodyRefused

MAX_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000
JPEG_QUALITY = 88
THUMBNAIL_SIDE = 480
# Raster formats a camera or phone produces. Everything else Pillow could open is refused,
# some of it for safety (EPS would run Ghostscript), the rest as not a photo.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")  # JPEG includes MPO (multi-picture)


class PhotoRefused(CustodyRefused):
    """A photo that is not stored or an action on one that is refused; `code` is the API's
    error code, `message` says why. A kind of `CustodyRefused`, the chart's refusal. Bad
    images (invalid_image, image_too_large, invalid, retired) are 422; the exceptions are
    in `core.refusals.STATUS_BY_CODE`."""

    status = 422


@dataclass(frozen=True)
class ProcessedPhoto:
    """The re-encoded JPEG and what the database keeps about it."""

    data: bytes
    width: int
    height: int
    sha256: str
    original: dict[str, Any]


def _invalid() -> PhotoRefused:
    return PhotoRefused(
        "invalid_image",
        "This file is not a photo we can read. Take the photo again, or choose a JPEG, PNG or "
        "WebP image.",
    )


def _too_many_pixels(width: int = 0, height: int = 0) -> PhotoRefused:
    limit = MAX_PIXELS // 1_000_000
    size = f"{width * height / 1_000_000:,.0f} megapixels" if width and height else "too big"
    return PhotoRefused(
        "image_too_large",
        f"This image is {size}; the limit is {limit} megapixels. Use the camera's normal "
        "photo size.",
    )


def _too_many_bytes(size: int) -> PhotoRefused:
    return PhotoRefused(
        "file_too_large",
        f"This file is {size / 1024 / 1024:.1f} MB; the limit is {MAX_BYTES // 1024 // 1024} "
        "MB. Use the camera's normal photo size.",
    )


def photo_check_size(size: int) -> None:
    """Refuse an upload by its byte count alone, before it is read."""
    if size > MAX_BYTES:
        raise _too_many_bytes(size)


def _open(data: bytes) -> Image.Image:
    """The image's header only: format and dimensions, no pixels decoded yet."""
    with warnings.catch_warnings():
        # Pillow's own bomb guard (about 89 MP) warns before it refuses; both are ours to
        # answer, and our limit is lower anyway.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
            raise _invalid() from None
    if image.width < 1 or image.height < 1:
        raise _invalid()
    if image.width * image.height > MAX_PIXELS:
        raise _too_many_pixels(image.width, image.height)
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB pixels, alpha flattened onto white, colours moved into sRGB when the file says
    which space they are in (phones shoot Display P3)."""
    icc = image.info.get("icc_profile")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    elif image.mode not in ("RGB", "CMYK"):
        image = image.convert("RGB")
    if icc and image.mode in ("RGB", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(
                image, source, ImageCms.createProfile("sRGB"), outputMode="RGB"
            )
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            converted = None  # an unusable profile: keep the pixels as they are
        if converted is not None:
            image = converted
    return image.convert("RGB") if image.mode != "RGB" else image


def photo_process(data: bytes) -> ProcessedPhoto:
    """Check an upload and re-encode it as a clean JPEG, or raise `PhotoRefused`."""
    if not data:
        raise _invalid()
    photo_check_size(len(data))
    image = _open(data)
    original: dict[str, Any] = {
        "format": image.format or "",
        "width": image.width,
        "height": image.height,
    }
    try:
        image.seek(0)  # the first frame of an animated or multi-picture file
        image.load()
        original["orientation"] = _orientation(image)
        upright = ImageOps.exif_transpose(image)
        rgb = _to_srgb(upright)
        # A new image carries none of the original's info: no EXIF, GPS, XMP, ICC, comment.
        clean = Image.new("RGB", rgb.size)
        clean.paste(rgb)
        out = io.BytesIO()
        clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    except Exception:  # any decoder failure on client bytes is a bad upload
        raise _invalid() from None
    finally:
        image.close()
    encoded = out.getvalue()
    return ProcessedPhoto(
        data=encoded,
        width=clean.width,
        height=clean.height,
        sha256=hashlib.sha256(encoded).hexdigest(),
        original=original,
    )


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation tag (1 is upright; 6 asks for a quarter turn clockwise)."""
    try:
        value = int(image.getexif().get(0x0112, 1))
    except Exception:  # unreadable EXIF: treated as upright
        return 1
    return value if 1 <= value <= 8 else 1


def photo_thumbnail(data: bytes, *, side: int = THUMBNAIL_SIDE) -> bytes:
    """A small JPEG of a stored photo (already clean), at most `side` pixels each way.
    JPEG draft mode decodes at 1/2, 1/4 or 1/8 scale, so this stays cheap."""
    with Image.open(io.BytesIO(data), formats=("JPEG",)) as image:
        if max(image.size) <= side:
            return data
        image.draft("RGB", (side, side))
        small = image.convert("RGB")
        small.thumbnail((side, side))
        out = io.BytesIO()
        small.save(out, format="JPEG", quality=80, optimize=True)
    return out.getvalue()


# --- How it was taken ---------------------------------------------------------------------

SOURCES = ("camera", "file", "api")
_TEXT_KEYS = {"camera_label": 120, "facing_mode": 20}
_INT_KEYS = ("track_width", "track_height")


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    cleaned = "".join(ch for ch in value if ch.isprintable()).strip()
    return cleaned[:limit] or None


def _number(value: Any, low: float, high: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and low <= value <= high else None


def capture_clean(raw: Any, *, source: str | None = None) -> dict[str, Any]:
    """The capture metadata worth keeping, from whatever the client sent: known keys only,
    bounded strings and numbers. `source` is set by the server (camera, file or api);
    anything else leaves it out."""
    clean: dict[str, Any] = {"source": source} if source in SOURCES else {}
    if not isinstance(raw, dict):
        return clean
    for key, limit in _TEXT_KEYS.items():
        text = _text(raw.get(key), limit)
        if text:
            clean[key] = text
    for key in _INT_KEYS:
        number = _number(raw.get(key), 1, 20_000)
        if number is not None:
            clean[key] = int(number)
    zoom = _number(raw.get("zoom"), 0.01, 100)
    if zoom is not None:
        clean["zoom"] = round(zoom, 2)
    aligned = raw.get("aligned_to")
    if isinstance(aligned, str):
        with contextlib.suppress(ValueError):
            clean["aligned_to"] = str(uuid.UUID(aligned))
    return clean


def _shape(facts: dict[str, Any]) -> str:
    width, height = facts.get("width") or 0, facts.get("height") or 0
    if not width or not height:
        return ""
    return "square" if width == height else ("landscape" if width > height else "portrait")


def capture_differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What differs between how two photos of a view were taken (docs/clinical-rules.md §7: "warn
    when before/after metadata differ"). Each dict is the photo's capture metadata plus its stored
    `width` and `height`. Returns sentences, empty when nothing to warn about."""
    warnings_: list[str] = []
    if before.get("source") and after.get("source") and before["source"] != after["source"]:
        warnings_.append(
            f"Taken differently: {_source(before['source'])} before, "
            f"{_source(after['source'])} after."
        )
    label_before, label_after = before.get("camera_label"), after.get("camera_label")
    if label_before and label_after and label_before != label_after:
        warnings_.append(f"Different cameras: “{label_before}” before, “{label_after}” after.")
    facing_before, facing_after = before.get("facing_mode"), after.get("facing_mode")
    if facing_before and facing_after and facing_before != facing_after:
        warnings_.append(f"Different camera side: {facing_before} before, {facing_after} after.")
    shape_before, shape_after = _shape(before), _shape(after)
    if shape_before and shape_after and shape_before != shape_after:
        warnings_.append(f"Different orientation: {shape_before} before, {shape_after} after.")
    elif shape_before and shape_after:
        pixels_before = before["width"] * before["height"]
        pixels_after = after["width"] * after["height"]
        if max(pixels_before, pixels_after) > 1.2 * min(pixels_before, pixels_after):
            warnings_.append(
                f"Different resolution: {before['width']}×{before['height']} before, "
                f"{after['width']}×{after['height']} after."
            )
    zoom_before, zoom_after = before.get("zoom"), after.get("zoom")
    if zoom_before and zoom_after and zoom_before != zoom_after:
        warnings_.append(f"Different zoom: {zoom_before}× before, {zoom_after}× after.")
    return warnings_


def _source(source: str) -> str:
    return {"camera": "the in-app camera", "file": "a file upload", "api": "the API"}.get(
        source, source
    )
