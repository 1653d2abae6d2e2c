"""Images made in the tests: a drawn signature as the pad sends it, and plain JPEGs."""

from __future__ import annotations

from io import BytesIO

from PIL import Image, ImageDraw

RED, BLUE = (220, 30, 30), (30, 30, 220)


def drawn_png(size: tuple[int, int] = (600, 200), *, ink: bool = True) -> bytes:
    """A signature as the pad sends it: dark strokes on a transparent background."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    if ink:
        ImageDraw.Draw(image).line(
            [(20, 150), (120, 40), (220, 160), (320, 50), (420, 140), (560, 60)],
            fill=(20, 24, 31, 255),
            width=4,
        )
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def jpeg(size: tuple[int, int] = (400, 300), **save: object) -> bytes:
    """A plain JPEG: blue, with a red block in the top-left corner (to see a rotation)."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, size[0] // 4, size[1] // 4))
    out = BytesIO()
    image.save(out, format="JPEG", quality=95, **save)
    return out.getvalue()
