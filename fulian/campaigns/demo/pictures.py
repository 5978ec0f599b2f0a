"""Small made-up photos for the demo's score sheets: a house, its courtyard and plants, drawn
with Pillow from a seed, so that each household's pictures differ (and the duplicate-photo
check has nothing to find)."""

from __future__ import annotations

import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

WIDTH, HEIGHT = 480, 360


def _colour(pick: random.Random, low: int = 40, high: int = 220) -> tuple[int, int, int]:
    return (pick.randint(low, high), pick.randint(low, high), pick.randint(low, high))


def courtyard_jpeg(seed: int) -> bytes:
    """A JPEG of a courtyard: sky, a house with its roof and door, a path, flower beds."""
    pick = random.Random(seed)  # noqa: S311 - made-up pictures
    image = Image.new("RGB", (WIDTH, HEIGHT), _colour(pick, 150, 235))
    draw = ImageDraw.Draw(image)
    ground = pick.randint(200, 250)
    draw.rectangle((0, ground, WIDTH, HEIGHT), fill=_colour(pick, 60, 160))
    left = pick.randint(20, 200)
    right = left + pick.randint(160, 260)
    top = ground - pick.randint(90, 150)
    draw.rectangle((left, top, right, ground), fill=_colour(pick, 150, 250))
    draw.polygon(
        [(left - 15, top), (right + 15, top), ((left + right) // 2, top - pick.randint(40, 80))],
        fill=_colour(pick, 60, 160),
    )
    door = (left + right) // 2
    draw.rectangle((door - 18, ground - 60, door + 18, ground), fill=_colour(pick, 40, 120))
    for n in range(pick.randint(1, 3)):
        x = left + 20 + n * 60
        draw.rectangle((x, top + 20, x + 30, top + 50), fill=_colour(pick, 120, 230))
    draw.polygon(
        [(door - 18, ground), (door + 18, ground), (door + 60, HEIGHT), (door - 60, HEIGHT)], fill=(200, 200, 190)
    )
    for _ in range(pick.randint(6, 14)):
        x, y, r = pick.randint(0, WIDTH), pick.randint(ground + 10, HEIGHT), pick.randint(6, 16)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=_colour(pick, 30, 250))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def courtyard_upload(seed: int, name: str) -> SimpleUploadedFile:
    """The picture as a phone would upload it."""
    return SimpleUploadedFile(f"{name}.jpg", courtyard_jpeg(seed), content_type="image/jpeg")
