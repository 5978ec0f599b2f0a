"""攸县妇联's scheme of the 攸悠我行 practice, kept and adopted through ``fulian.points.services.schemes``
as the county's administrator would at her desk: 执委 duty by work mode, volunteer service by the
hour (for her and her household: 共得共享), awards by level (the household's), five levels and two
礼遇褒奖 honours; version 1 in force from the first of January of the year the demo's duty records
begin, adopted at the executive committee's meeting of the December before."""

from __future__ import annotations

import datetime

from fulian.accounts.models import User
from fulian.audit.recorder import audit_context
from fulian.grid.models import WorkMode
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.points.choices import Earner, HolderKind, HonourBasis, Source
from fulian.points.models import Scheme
from fulian.points.services import schemes

NAME = "攸悠我行·新时代文明实践积分"
# work mode → (points a confirmed record, at most a day, at most a year)
DUTY = {
    "入户走访": (2, 6, 200),
    "政策宣讲": (3, 9, 120),
    "矛盾调解": (5, 10, 100),
    "帮扶关爱": (3, 9, 150),
    "组织活动": (5, 10, 100),
    "建言献策": (2, 4, 40),
}
VOLUNTEER = "志愿服务"  # 1 point an hour, at most 8 a day and 200 a year, for her and her household
AWARDS = (
    (Level.VILLAGE, "村级表彰", 5),
    (Level.TOWNSHIP, "镇级表彰", 10),
    (Level.COUNTY, "县级表彰", 20),
    (Level.CITY, "市级表彰", 30),
)
LEVELS = (("一星", 20), ("二星", 50), ("三星", 100), ("四星", 200), ("五星", 400))
STAR = "文明实践之星"
ACHIEVER = "积分达人"
# 150 (the first draft) is out of reach of the demo's year of 10 to 30 records a 执委 (at most ~100
# points): 100 honours the few who did most.
ACHIEVER_FROM = 100


def in_force_from(first_record: datetime.date) -> datetime.date:
    """The first of January of the year the demo's duty records begin."""
    return datetime.date(first_record.year, 1, 1)


def load(*, county: Organisation, admin: User, first_record: datetime.date) -> Scheme:
    """The scheme with version 1 adopted; returns it."""
    valid_from = in_force_from(first_record)
    adopted_on = datetime.date(valid_from.year - 1, 12, 26)
    with audit_context(actor=admin):
        scheme = schemes.scheme_create(actor=admin, org=county, name=NAME, valid_from=valid_from)
        version = scheme.versions.get()
        duty = schemes.category_save(actor=admin, version=version, name="履职尽责", position=1)
        service = schemes.category_save(actor=admin, version=version, name="志愿服务", position=2)
        honours = schemes.category_save(actor=admin, version=version, name="表彰奖励", position=3)
        modes = {m.name: m for m in WorkMode.objects.filter(name__in=[*DUTY, VOLUNTEER])}
        for position, (mode, (points, daily, yearly)) in enumerate(DUTY.items(), start=1):
            if mode not in modes:
                continue
            schemes.rule_save(
                actor=admin,
                version=version,
                category=duty,
                name=mode,
                source=Source.DUTY,
                work_mode=modes[mode],
                points=points,
                daily_cap=daily,
                yearly_cap=yearly,
                reviews_required=1,
                earner=Earner.PERSON,
                position=position,
            )
        if VOLUNTEER in modes:
            schemes.rule_save(
                actor=admin,
                version=version,
                category=service,
                name="巾帼志愿服务（每小时）",
                source=Source.DUTY,
                work_mode=modes[VOLUNTEER],
                points=1,
                per_hour=True,
                daily_cap=8,
                yearly_cap=200,
                reviews_required=1,
                earner=Earner.BOTH,
            )
        for position, (level, name, points) in enumerate(AWARDS, start=1):
            schemes.rule_save(
                actor=admin,
                version=version,
                category=honours,
                name=name,
                source=Source.AWARD,
                award_level=level,
                points=points,
                reviews_required=1,
                earner=Earner.HOUSEHOLD,
                position=position,
            )
        for name, threshold in LEVELS:
            schemes.level_save(actor=admin, version=version, name=name, threshold=threshold)
        schemes.honour_rule_save(
            actor=admin,
            version=version,
            title=STAR,
            basis=HonourBasis.RANK,
            holder_kind=HolderKind.PERSON,
            level=Level.VILLAGE,
            top=3,
            benefit="在村务公开栏“攸悠我行”光荣榜公布，年度评优优先推荐",
        )
        schemes.honour_rule_save(
            actor=admin,
            version=version,
            title=ACHIEVER,
            basis=HonourBasis.THRESHOLD,
            holder_kind=HolderKind.PERSON,
            level=Level.TOWNSHIP,
            threshold=ACHIEVER_FROM,
            benefit="镇妇联颁发“积分达人”证书，受邀参加县妇联年度表彰会",
        )
        schemes.version_adopt(
            actor=admin,
            version=version,
            adopted_on=adopted_on,
            decision=f"{adopted_on.year}年12月攸县妇联执委（扩大）会议审议通过（攸妇发〔{valid_from.year}〕1号）",
        )
    return scheme


CITY_NAME = "株洲市最美家庭表彰积分"
CITY_FROM = datetime.date(2019, 1, 1)


def load_city(*, city: Organisation, admin: User) -> Scheme:
    """The city's scheme for family honours only (in force from 2019, when its 最美庭院 awards
    began): an award earns its household points wherever no county keeps a scheme of its own, so
    the demo's 2019 awards (茶陵县, 炎陵县) show in those households' passbooks."""
    with audit_context(actor=admin):
        scheme = schemes.scheme_create(actor=admin, org=city, name=CITY_NAME, valid_from=CITY_FROM)
        version = scheme.versions.get()
        honours = schemes.category_save(actor=admin, version=version, name="表彰奖励", position=1)
        for position, (level, name, points) in enumerate(AWARDS, start=1):
            schemes.rule_save(
                actor=admin,
                version=version,
                category=honours,
                name=name,
                source=Source.AWARD,
                award_level=level,
                points=points,
                reviews_required=1,
                earner=Earner.HOUSEHOLD,
                position=position,
            )
        schemes.version_adopt(
            actor=admin,
            version=version,
            adopted_on=datetime.date(2018, 12, 20),
            decision="2018年12月株洲市妇联执委会议审议通过（株妇发〔2019〕1号）",
        )
    return scheme
