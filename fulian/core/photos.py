"""Photos from phones: checked, turned upright, shrunk and stripped of EXIF (phones write the
GPS position of the house into it) before anything is stored.

The stored file is always a new JPEG made from the pixels alone, so nothing of the upload
(metadata, a second image hidden after the first, a script in a comment) survives.
"""

from __future__ import annotations

import io
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 60_000_000  # a 48-megapixel phone camera fits; a decompression bomb does not
LONGEST_SIDE = 1280
QUALITY = 85


def clean_photo(upload: UploadedFile, *, name: str = "photo") -> ContentFile[bytes]:
    """The upload as an upright JPEG of at most 1280 px on its longest side, without metadata;
    a ValidationError saying what to do when it is not a photo or is too large."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The photo is %(size)s MB; photos of up to %(limit)d MB can be uploaded.")
            % {"size": f"{upload.size / 1024 / 1024:.1f}", "limit": MAX_UPLOAD_BYTES // 1024 // 1024},
            code="too_large",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(
                    _("The photo has too many pixels; take it again at a normal size."), code="too_large"
                )
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, Image.DecompressionBombWarning, ValueError):
        raise ValidationError(
            _("This file is not a photo (JPEG, PNG, HEIC saved as JPEG, WebP)."), code="not_a_photo"
        ) from None
    upright: Image.Image = ImageOps.exif_transpose(image).convert("RGB")
    upright.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    out = io.BytesIO()
    upright.save(out, format="JPEG", quality=QUALITY, optimize=True)
    return ContentFile(out.getvalue(), name=f"{name}.jpg")
