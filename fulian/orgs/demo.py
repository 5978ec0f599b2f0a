"""Demo step: the Zhuzhou organisation tree, and village groups for 回龙村."""

from typing import TextIO

from fulian.orgs.loader import SHIPPED_FILE, read_flat
from fulian.orgs.models import Organisation
from fulian.orgs.services import divisions_load, group_create_as_system

HUILONG = "430223123215"
GROUPS = ["第一村民小组", "第二村民小组", "第三村民小组", "第四村民小组", "第五村民小组"]


def load(out: TextIO) -> None:
    result = divisions_load(read_flat(SHIPPED_FILE), source=SHIPPED_FILE.name)
    out.write(f"Organisations: {len(result.created)} created, {result.unchanged} unchanged.\n")
    village = Organisation.objects.get(code=HUILONG)
    existing = set(Organisation.objects.filter(parent=village).values_list("name", flat=True))
    for name in GROUPS:
        if name not in existing:
            group_create_as_system(village=village, name=name)
