"""One small named world for every test: 株洲市 → two counties → townships → villages,
with a persona at each level. Built once per test session from the shipped division file,
through the real loader."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fulian.accounts.choices import Role
from fulian.accounts.gate import needs_two_factor
from fulian.accounts.models import RoleGrant, User
from fulian.accounts.testing import enrol, force_login
from fulian.grid.choices import DEFAULT_WORK_MODES
from fulian.grid.models import WorkMode
from fulian.orgs.loader import SHIPPED_FILE, Reading, read_flat
from fulian.orgs.models import Organisation
from fulian.orgs.services import divisions_load, group_create_as_system

PASSWORD = "Test-Passw0rd!"
# The authenticator secret of every persona whose roles need a second factor (officers and
# the city's administrator), so that tests can log them in through the real pages.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# The villages of the world; their townships, counties and the city come with them.
VILLAGES = {
    "huilong": "430223123215",  # 攸县 新市镇 回龙村
    "daqiaotou": "430223123202",  # 攸县 新市镇 大桥头村
    "longhu": "430223002006",  # 攸县 江桥街道 龙湖社区
    "shucai": "430225100215",  # 炎陵县 霞阳镇 蔬菜村委会
    "dongqu": "430225100001",  # 炎陵县 霞阳镇 东区社区居委会
}
ORGS = {
    "city": "430200",
    "youxian": "430223",
    "yanling": "430225",
    "xinshi": "430223123",
    "jiangqiao": "430223002",
    "xiayang": "430225100",
    **VILLAGES,
    "huilong_group1": "430223123215001",
}
# username → (role, organisation key, mobile)
PERSONAS: dict[str, tuple[Role | None, str, str]] = {
    "city_admin": (Role.ADMIN, "city", "13907330001"),
    "youxian_admin": (Role.ADMIN, "youxian", "13907330002"),
    "yanling_admin": (Role.ADMIN, "yanling", "13907330003"),
    "xinshi_staff": (Role.STAFF, "xinshi", "13907330004"),
    "huilong_zhiwei": (Role.MEMBER, "huilong", "13907330005"),
    "leader": (Role.VIEWER, "city", "13907330006"),
    "security": (Role.SECURITY, "city", "13907330007"),
    "auditor": (Role.AUDITOR, "city", "13907330008"),
    "youxian_security": (Role.SECURITY, "youxian", "13907330009"),
    "youxian_auditor": (Role.AUDITOR, "youxian", "13907330010"),
    "yanling_staff": (Role.STAFF, "xiayang", "13907330011"),
    "nobody": (None, "huilong", "13907330012"),
}


def build_world() -> None:
    """Create the world's organisations and personas (idempotent), and the shipped work modes
    (a migration writes them; a flush between live tests empties the table)."""
    for position, (name, name_en) in enumerate(DEFAULT_WORK_MODES, start=1):
        WorkMode.objects.get_or_create(name=name, defaults={"name_en": name_en, "position": position * 10})
    full = read_flat(SHIPPED_FILE)
    wanted: set[str] = set()
    for code in VILLAGES.values():
        chain: str | None = code
        while chain is not None:
            wanted.add(chain)
            chain = full.divisions[chain].parent_code
    divisions_load(Reading(divisions={c: full.divisions[c] for c in wanted}), source="test world")
    huilong = Organisation.objects.get(code=VILLAGES["huilong"])
    if not Organisation.objects.filter(parent=huilong).exists():
        group_create_as_system(village=huilong, name="第一村民小组")
    orgs = {o.code: o for o in Organisation.objects.filter(code__in=ORGS.values())}
    for username, (role, org_key, mobile) in PERSONAS.items():
        if User.objects.filter(username=username).exists():
            continue
        org = orgs[ORGS[org_key]]
        user = User(username=username, full_name=username.replace("_", " ").title(), org=org)
        user.set_mobile(mobile)
        user.set_password(PASSWORD)
        user.save()
        if role is not None:
            RoleGrant.objects.create(user=user, org=org, role=role)
        if needs_two_factor(user):
            enrol(user, TOTP_SECRET)


@dataclass
class World:
    """Look-ups into the world by name: ``world.org("huilong")``, ``world.user("xinshi_staff")``."""

    def org(self, key: str) -> Organisation:
        return Organisation.objects.get(code=ORGS[key])

    def user(self, username: str) -> User:
        return User.objects.get(username=username)

    def client_for(self, username: str) -> Any:
        from django.test import Client

        client = Client()
        force_login(client, self.user(username))
        return client

    def api_for(self, username: str) -> Any:
        from rest_framework.test import APIClient

        client = APIClient()
        client.force_authenticate(self.user(username))
        return client
