"""The demo's photos: a plain drawn face for each patient and session, as the treatment
room tablet's camera sends it."""

from __future__ import annotations

import random
from io import BytesIO

from PIL import Image, ImageDraw, ImageFilter

SKIN_TONES = {
    1: (246, 222, 205),
    2: (236, 201, 176),
    3: (214, 172, 138),
    4: (184, 137, 102),
    5: (141, 97, 66),
    6: (96, 64, 44),
}


def face_photo(*, fitzpatrick: int, view: str, stage: str, session: int, seed: int) -> bytes:
    """A plain drawn face against a studio backdrop: skin tone by Fitzpatrick type, the
    features turned for an oblique view, fewer marks each session, and the even redness of
    a just-needled face on an "after" photo. JPEG, as a tablet camera sends it."""
    rng = random.Random(seed)  # noqa: S311 - demo drawing, not security
    width, height = 480, 600
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):  # backdrop: a soft blue-grey gradient
        shade = 196 - y * 40 // height
        draw.line([(0, y), (width, y)], fill=(shade - 12, shade - 4, shade + 8))
    turn = {"left_oblique": -48, "right_oblique": 48}.get(view, 0)
    cx, cy = width // 2 + turn // 3, height // 2 - 10
    skin = SKIN_TONES.get(fitzpatrick, SKIN_TONES[3])
    draw.rectangle([cx - 70, cy + 170, cx + 70, height], fill=tuple(c - 18 for c in skin))
    draw.ellipse([cx - 150, cy - 200, cx + 150, cy + 200], fill=skin)
    draw.chord([cx - 160, cy - 230, cx + 160, cy + 10], 180, 360, fill=(58, 40, 30))  # hair
    for side in (-1, 1):
        ex = cx + turn + side * (62 if turn == 0 else 52 + side * turn // 4)
        draw.ellipse([ex - 24, cy - 32, ex + 24, cy - 12], fill=(250, 250, 248))
        draw.ellipse([ex - 9, cy - 31, ex + 9, cy - 13], fill=(70, 52, 40))
        draw.line([(ex - 30, cy - 54), (ex + 28, cy - 58)], fill=(70, 50, 38), width=5)
    nose = cx + turn
    draw.line(
        [(nose, cy - 10), (nose + turn // 6 - 8, cy + 52), (nose + 10, cy + 56)],
        fill=tuple(c - 40 for c in skin),
        width=4,
    )
    draw.arc([nose - 52, cy + 70, nose + 52, cy + 120], 15, 165, fill=(150, 70, 70), width=6)
    marks = max(3, 26 - 6 * session)  # scars and spots fade over the series
    for _ in range(marks):
        mx = cx + rng.randint(-110, 110)
        my = cy + rng.randint(-10, 140)
        r = rng.randint(3, 6)
        draw.ellipse([mx - r, my - r, mx + r, my + r], fill=tuple(c - 35 for c in skin))
    if stage == "after":
        flush = Image.new("RGB", image.size, (222, 84, 84))
        mask = Image.new("L", image.size, 0)
        ImageDraw.Draw(mask).ellipse([cx - 140, cy - 120, cx + 140, cy + 190], fill=70)
        image = Image.composite(flush, image, mask.filter(ImageFilter.GaussianBlur(18)))
    out = BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


CAMERA = {
    "source": "camera",
    "camera_label": "Treatment room tablet, rear camera",
    "facing_mode": "environment",
    "track_width": 480,
    "track_height": 600,
}
