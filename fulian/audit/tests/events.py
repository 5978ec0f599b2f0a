"""A handful of audit events at known times and organisations, for the page and API tests."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from unittest import mock
from zoneinfo import ZoneInfo

from fulian.audit.choices import Action
from fulian.audit.models import AuditEvent
from fulian.audit.recorder import record
from fulian.testing.world import World

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class Events:
    huilong: AuditEvent  # 2020-03-01 10:00, 回龙村 (攸县), xinshi_staff, update
    youxian: AuditEvent  # 2020-03-02 09:00, 攸县, youxian_admin, create
    shucai: AuditEvent  # 2020-03-03 15:00, 蔬菜村 (炎陵县), yanling_admin, delete
    no_org: AuditEvent  # 2020-03-04 12:00, no organisation (an unknown name failing to log in)

    @property
    def all(self) -> list[AuditEvent]:
        return [self.huilong, self.youxian, self.shucai, self.no_org]


def at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2020, 3, day, hour, tzinfo=SHANGHAI)


def _record_at(when: datetime.datetime, *args: object, **kwargs: object) -> AuditEvent:
    with mock.patch("django.utils.timezone.now", return_value=when):
        return record(*args, **kwargs)  # type: ignore[arg-type]


def make_events(world: World) -> Events:
    return Events(
        huilong=_record_at(
            at(1, 10), Action.UPDATE, org=world.org("huilong"), object_repr="ev-huilong", actor_name="xinshi_staff"
        ),
        youxian=_record_at(
            at(2, 9), Action.CREATE, org=world.org("youxian"), object_repr="ev-youxian", actor_name="youxian_admin"
        ),
        shucai=_record_at(
            at(3, 15), Action.DELETE, org=world.org("shucai"), object_repr="ev-shucai", actor_name="yanling_admin"
        ),
        no_org=_record_at(at(4, 12), Action.LOGIN_FAILED, object_repr="ev-no-org", changes={"reason": "password"}),
    )


def more_events(world: World, count: int) -> None:
    org = world.org("xinshi")
    for n in range(count):
        record(Action.UPDATE, org=org, object_repr=f"more-{n}", actor_name="xinshi_staff", changes={"n": [n, n + 1]})
