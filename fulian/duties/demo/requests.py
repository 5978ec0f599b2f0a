"""她代表 requests in every state, written through ``fulian.duties.services.requests`` as the people
of the demo would (周桂姣 on her phone, ``xinshi_staff`` for the township and the villages below
it, ``youxian_admin`` for 攸县妇联), then dated back: each was recorded some days ago and its
steps followed over the days after (the services stamp today).

One request climbs 回龙村 → 新市镇 → 攸县妇联 and is handled there; one is overdue (assigned to
周桂姣, so her "my work" shows it); one is reopened by a 不满意 and in progress again; the closed
ones carry each satisfaction (and one is closed without it: she moved away).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, TextIO

from django.utils import timezone

from fulian.accounts.models import User
from fulian.audit.recorder import audit_context
from fulian.duties.choices import Category, RequestKind, Satisfaction, StepKind, Urgency
from fulian.duties.models import Request, RequestStep
from fulian.duties.services import requests
from fulian.grid import coverage
from fulian.households.models import Household
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.people.models import Person, Post

HUILONG = "430223123215"
XINSHI = "430223123"
YANLING = "430225"
HER, STAFF, COUNTY, OTHER_COUNTY = "huilong_zhiwei", "xinshi_staff", "youxian_admin", "yanling_admin"


@dataclass(frozen=True)
class Plan:
    """One request: whose (``her``: 周桂姣; ``huilong``: another 执委 of 回龙村; ``xinshi``: a 执委
    of another village of 新市镇; ``yanling``: one of 炎陵县), what, how long ago, the steps (kind,
    account, text or satisfaction or assignee), and over how many days they were taken (None:
    up to now)."""

    who: str
    kind: str
    category: str
    urgency: str
    description: str
    days_ago: int
    steps: tuple[tuple[str, str, str], ...]
    span: int | None = None


ASSIGN_HER = ("assign", STAFF, HER)
PLANS = (
    Plan("her", RequestKind.NEED, Category.HEALTH, Urgency.NORMAL, "户主母亲想了解慢性病门诊报销怎么办理", 1, ()),
    Plan(
        "xinshi",
        RequestKind.NEED,
        Category.POLICY,
        Urgency.NORMAL,
        "想咨询小额创业担保贷款的申请条件",
        2,
        (("accept", STAFF, "已受理，将联系镇人社站"),),
    ),
    Plan(
        "her",
        RequestKind.NEED,
        Category.JOBS,
        Urgency.NORMAL,
        "留守妇女想在家附近找份灵活就业的工作",
        3,
        (("accept", STAFF, ""), ASSIGN_HER),
    ),
    Plan(
        "her",
        RequestKind.NEED,
        Category.CHILDCARE,
        Urgency.URGENT,
        "留守儿童放学后无人照看，希望有托管服务",
        2,
        (
            ("accept", STAFF, ""),
            ASSIGN_HER,
            ("update", HER, "已联系村小学，了解课后服务名额"),
            ("update", HER, "学校同意接收，正在办理手续"),
        ),
    ),
    Plan(
        "her",
        RequestKind.NEED,
        Category.ELDERLY,
        Urgency.NORMAL,
        "独居老人希望有人定期上门看望",
        8,
        (
            ("accept", STAFF, ""),
            ASSIGN_HER,
            ("update", HER, "已安排两名巾帼志愿者结对"),
            ("answer", HER, "志愿者每周二、周五上门看望，并留了联系电话"),
        ),
    ),
    Plan(
        "her",
        RequestKind.NEED,
        Category.LAW,
        Urgency.NORMAL,
        "想咨询离婚后子女抚养费的问题",
        40,
        (
            ("accept", STAFF, ""),
            ASSIGN_HER,
            ("answer", HER, "已联系镇司法所律师，当面解答了抚养费标准和申请程序"),
            ("rate", HER, Satisfaction.SATISFIED),
        ),
        span=6,
    ),
    Plan(
        "xinshi",
        RequestKind.NEED,
        Category.JOBS,
        Urgency.NORMAL,
        "希望参加家政服务培训",
        60,
        (
            ("accept", STAFF, ""),
            ("answer", STAFF, "已报名镇里三月份的家政培训班"),
            ("rate", STAFF, Satisfaction.FAIRLY),
        ),
        span=9,
    ),
    Plan(
        "her",
        RequestKind.NEED,
        Category.FAMILY,
        Urgency.NORMAL,
        "婆媳因为宅基地分配闹矛盾，希望调解",
        90,
        (
            ("accept", STAFF, ""),
            ASSIGN_HER,
            ("answer", HER, "已上门调解一次，双方同意再商量"),
            ("rate", HER, Satisfaction.UNSATISFIED),
            ("update", HER, "请村调委会一起第二次调解"),
            ("answer", HER, "第二次调解后签了协议，但婆婆仍有意见"),
            ("rate", HER, Satisfaction.UNSATISFIED),
        ),
        span=20,
    ),
    Plan(
        "xinshi",
        RequestKind.NEED,
        Category.HEALTH,
        Urgency.NORMAL,
        "两癌筛查结果异常，想知道下一步去哪里复查",
        9,
        (
            ("accept", STAFF, ""),
            ("answer", STAFF, "建议到县妇幼保健院复查"),
            ("rate", STAFF, Satisfaction.UNSATISFIED),
            ("update", STAFF, "正在联系县妇幼保健院预约专家号"),
        ),
    ),
    Plan(
        "her",
        RequestKind.NEED,
        Category.LAW,
        Urgency.NORMAL,
        "在外务工被拖欠工资，用工单位在县城，镇里协调不了",
        4,
        (
            ("accept", STAFF, ""),
            ("escalate", STAFF, "用工单位不在本村，需镇妇联协调"),
            ("accept", STAFF, ""),
            ("escalate", STAFF, "用工单位在县城，需县妇联联系人社部门"),
            ("accept", COUNTY, ""),
            ("assign", COUNTY, COUNTY),
            ("update", COUNTY, "已转县人社局劳动监察大队"),
        ),
    ),
    Plan(
        "huilong",
        RequestKind.NEED,
        Category.ELDERLY,
        Urgency.URGENT,
        "瘫痪老人需要申请居家护理补贴",
        25,
        (("accept", STAFF, ""), ASSIGN_HER, ("update", HER, "已收集申请材料，待民政办审核")),
        span=3,
    ),
    Plan(
        "xinshi",
        RequestKind.SUGGESTION,
        Category.OTHER,
        Urgency.NORMAL,
        "建议在村妇女之家增设儿童阅读角",
        30,
        (
            ("accept", STAFF, ""),
            ("answer", STAFF, "已纳入今年妇女之家建设计划"),
            ("close", STAFF, "提出建议的妇女已外出务工，无法回访"),
        ),
        span=10,
    ),
    Plan(
        "xinshi",
        RequestKind.SUGGESTION,
        Category.POLICY,
        Urgency.NORMAL,
        "建议把两癌筛查时间安排在农闲季节",
        120,
        (
            ("accept", STAFF, ""),
            ("answer", STAFF, "已向县妇联反映，今年筛查安排在十一月"),
            ("rate", STAFF, Satisfaction.SATISFIED),
        ),
        span=14,
    ),
    Plan(
        "yanling",
        RequestKind.NEED,
        Category.JOBS,
        Urgency.NORMAL,
        "想学电商直播卖土特产",
        5,
        (("accept", OTHER_COUNTY, ""),),
    ),
)


def load(out: TextIO) -> int:
    """Write the requests; returns how many."""
    accounts = {u.username: u for u in User.objects.filter(username__in=[HER, STAFF, COUNTY, OTHER_COUNTY])}
    her = Person.objects.filter(account__username=HER).first()
    if her is None or len(accounts) < 4:
        out.write("Duties: no 周桂姣 or demo accounts, no requests.\n")
        return 0
    whose = {
        "her": (her, accounts[HER], _household(her)),
        "huilong": _representative(HUILONG, accounts[STAFF], besides=her.pk),
        "xinshi": _representative(XINSHI, accounts[STAFF], besides=her.pk, village_not=HUILONG),
        "yanling": _representative(YANLING, accounts[OTHER_COUNTY], besides=her.pk),
    }
    made = 0
    for plan in PLANS:
        representative, actor, household = whose[plan.who]
        if representative is None:
            continue
        with audit_context(actor=actor):
            request = requests.request_record(
                actor=actor,
                representative=representative,
                kind=plan.kind,
                category=plan.category,
                urgency=plan.urgency,
                description=plan.description,
                household=household,
            )
        for kind, username, value in plan.steps:
            request = _step(request, kind, accounts[username], value, accounts)
        _dated_back(request, plan)
        made += 1
    return made


def _household(person: Person) -> Household | None:
    return Household.objects.filter(org__path__startswith=person.org.path).order_by("pk").first()


def _representative(code: str, actor: User, *, besides: int, village_not: str = "") -> tuple[Any, User, Any]:
    """A 她代表 of a village under ``code`` (another village, if said), and a household there."""
    area = Organisation.objects.filter(code=code).first()
    if area is None:
        return None, actor, None
    posts = (
        Post.objects.filter(
            end_date__isnull=True,
            is_representative=True,
            org__level=Level.VILLAGE,
            org__path__startswith=area.path,
        )
        .exclude(person_id=besides)
        .select_related("person", "org")
        .order_by("org__path", "pk")
    )
    if village_not:
        posts = posts.exclude(org__code=village_not)
    post = posts.first()
    if post is None:
        return None, actor, None
    household = Household.objects.filter(village_id=post.org_id, archived_at__isnull=True).order_by("pk").first()
    return post.person, actor, household


def _step(request: Request, kind: str, actor: User, value: str, accounts: dict[str, User]) -> Request:
    with audit_context(actor=actor):
        if kind == "accept":
            return requests.request_accept(actor=actor, request=request, note=value)
        if kind == "assign":
            return requests.request_assign(actor=actor, request=request, assignee=accounts[value])
        if kind == "escalate":
            return requests.request_escalate(actor=actor, request=request, reason=value)
        if kind == "update":
            return requests.request_update(actor=actor, request=request, note=value)
        if kind == "answer":
            return requests.request_answer(actor=actor, request=request, answer=value)
        if kind == "rate":
            return requests.request_rate(actor=actor, request=request, satisfaction=value)
        if kind == "close":
            return requests.request_close(actor=actor, request=request, note=value)
    raise ValueError(kind)


def _dated_back(request: Request, plan: Plan) -> None:
    """Recorded ``days_ago`` (its deadline counted from then), its steps spread over the days
    after (``span``, or up to an hour ago)."""
    today = coverage.today()
    recorded = today - datetime.timedelta(days=plan.days_ago)
    start = timezone.make_aware(datetime.datetime.combine(recorded, datetime.time(9)))
    now = timezone.now()
    end = now - datetime.timedelta(hours=1) if plan.span is None else start + datetime.timedelta(days=plan.span)
    end = max(start, min(end, now - datetime.timedelta(hours=1)))
    steps = list(RequestStep.objects.filter(request=request).order_by("pk"))
    answered = closed = None
    for index, step in enumerate(steps):
        at = start + (end - start) * index / max(1, len(steps) - 1)
        RequestStep.objects.filter(pk=step.pk).update(at=at)
        if step.kind == StepKind.ANSWER:
            answered = at
        if step.kind == StepKind.CLOSE:
            closed = at
    Request.objects.filter(pk=request.pk).update(
        recorded_on=recorded,
        due_on=requests.due_on(recorded, plan.urgency),
        created_at=start,
        answered_at=answered,
        closed_at=closed,
    )
