"""Records for the people tests, written through the services (as a city administrator)."""

from __future__ import annotations

import datetime
from typing import Any

from fulian.people import services
from fulian.people.choices import PostKind
from fulian.people.models import Person, Post
from fulian.testing.world import World

START = datetime.date(2021, 9, 1)


def person(world: World, org: str = "huilong", name: str = "周桂姣", **values: Any) -> Person:
    return services.person_create(actor=world.user("city_admin"), org=world.org(org), values={"name": name, **values})


def post(world: World, who: Person, org: str = "huilong", kind: str = PostKind.MEMBER, **kwargs: Any) -> Post:
    kwargs.setdefault("start_date", START)
    return services.post_assign(actor=world.user("city_admin"), person=who, org=world.org(org), kind=kind, **kwargs)


def jpeg(width: int = 40, height: int = 30, exif: bytes | None = None) -> bytes:
    """A small photo, optionally with EXIF (phones put the GPS position there)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    image = Image.new("RGB", (width, height), (200, 30, 40))
    image.save(out, format="JPEG", **({"exif": exif} if exif else {}))
    return out.getvalue()


def with_photo(world: World, who: Person) -> Person:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return services.person_set_photo(
        actor=world.user("city_admin"), person=who, upload=SimpleUploadedFile("p.jpg", jpeg())
    )
