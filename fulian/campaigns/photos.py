"""Sheet photos: cleaned like every phone photo (``fulian.core.photos``), then fingerprinted so
that the same picture sent for two households is found: the SHA-256 of the stored pixels for
an identical copy, a 64-bit difference hash (dHash) for a resized or re-compressed one."""

from __future__ import annotations

import hashlib
import io

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image

from fulian.core.photos import clean_photo

# Two dHashes this many bits apart or fewer are taken for the same picture.
NEAR_BITS = 6


def difference_hash(data: bytes) -> str:
    """The 64-bit dHash of an image as 16 hex digits: each bit says whether a pixel of a 9×8
    grey thumbnail is brighter than its right neighbour."""
    with Image.open(io.BytesIO(data)) as image:
        small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
        pixels = small.tobytes()  # one byte per pixel in mode L
    bits = 0
    for row in range(8):
        for col in range(8):
            left = pixels[row * 9 + col]
            right = pixels[row * 9 + col + 1]
            bits = (bits << 1) | (1 if left > right else 0)
    return f"{bits:016x}"


def distance(a: str, b: str) -> int:
    """How many of the 64 bits two dHashes differ in."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def sheet_photo(upload: UploadedFile, *, name: str) -> tuple[ContentFile[bytes], str, str]:
    """The cleaned photo with its digest and dHash; a ValidationError when it is not a photo."""
    cleaned = clean_photo(upload, name=name)
    data = cleaned.read()
    cleaned.seek(0)
    return cleaned, hashlib.sha256(data).hexdigest(), difference_hash(data)
