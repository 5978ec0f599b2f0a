"""The points scheme pages (issue 14 point 1, "Keep the rules"): everyone in points reads the
schemes that apply to her; the scheme's administrators edit a draft, adopt it with its decision,
and start the next version; bad input is said beside the field with the values kept; an adopted
version never changes, even by a crafted POST."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from fulian.grid.models import WorkMode
from fulian.grid.tests.helpers import page_queries
from fulian.orgs.choices import Level
from fulian.points.choices import Earner, HonourBasis, Source, VersionStatus
from fulian.points.models import Category, HonourRule, PointsLevel, Rule, Scheme, SchemeVersion
from fulian.points.services import schemes as service
from fulian.points.tests.helpers import START, scheme
from fulian.testing import html

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

LIST = "/points/schemes/"


def draft_of(world: Any, org: str = "youxian") -> SchemeVersion:
    """攸县's scheme adopted from 2020, with version 2 as a draft from 2027 (copied from 1)."""
    made = scheme(world, org)
    return service.version_new(actor=world.user("city_admin"), scheme=made, valid_from=datetime.date(2027, 1, 1))


def rule_data(version: SchemeVersion, **changes: Any) -> dict[str, Any]:
    """A valid new rule of ``version``: 政策宣讲, 3 points a record, at most 6 a day and 200 a year."""
    data = {
        "category": version.categories.get(name="履职尽责").pk,
        "name": "政策宣讲",
        "source": Source.DUTY,
        "work_mode": WorkMode.objects.get(name="政策宣讲").pk,
        "award_level": "",
        "points": "3",
        "daily_cap": "6",
        "yearly_cap": "200",
        "reviews_required": "1",
        "two_reviews_above": "",
        "earner": Earner.PERSON,
        "position": "3",
    }
    data.update(changes)
    return data


def rules_of(version: SchemeVersion) -> list[tuple[str, int, int | None, int | None]]:
    return [(r.name, r.points, r.daily_cap, r.yearly_cap) for r in Rule.objects.filter(version=version)]


# --- reading --------------------------------------------------------------------------------


def test_the_list_shows_the_schemes_she_sees_and_says_which_applies_to_her(world) -> None:
    city = scheme(world, "city")
    youxian = scheme(world, "youxian")
    yanling = scheme(world, "yanling")
    page = world.client_for("huilong_zhiwei").get(LIST)
    assert page.status_code == 200
    shown = {int(e.attrs["data-scheme"]) for e in html.select(page, "[data-testid=schemes] tr[data-scheme]")}
    assert shown == {city.pk, youxian.pk}  # the city's and her county's, never 炎陵县's
    assert html.select(page, f"tr[data-scheme='{youxian.pk}'] [data-testid=applies-badge]")
    assert not html.select(page, f"tr[data-scheme='{city.pk}'] [data-testid=applies-badge]")
    assert "攸县" in html.text(page, "[data-testid=applies]")
    assert f'href="{reverse("points:version_detail", args=[youxian.versions.get().pk])}"' in page.content.decode()
    # The city's administrator sees all three; the city's scheme applies to her.
    admin = world.client_for("city_admin").get(LIST)
    shown = {int(e.attrs["data-scheme"]) for e in html.select(admin, "tr[data-scheme]")}
    assert shown == {city.pk, youxian.pk, yanling.pk}
    assert html.select(admin, f"tr[data-scheme='{city.pk}'] [data-testid=applies-badge]")


def test_without_a_scheme_above_her_the_list_says_none_applies(world) -> None:
    scheme(world, "yanling")
    page = world.client_for("huilong_zhiwei").get(LIST)
    assert "No scheme applies to your organisation yet" in html.text(page, "[data-testid=applies]")
    assert not html.select(page, "tr[data-scheme]")


def test_the_scheme_page_lists_its_versions_and_marks_the_one_in_force(world) -> None:
    draft = draft_of(world)
    made = draft.scheme
    adopted = made.versions.get(number=1)
    page = world.client_for("huilong_zhiwei").get(reverse("points:scheme_detail", args=[made.pk]))
    assert page.status_code == 200
    assert html.select(page, f"tr[data-version='{adopted.pk}'] [data-status=in-force]")
    assert html.select(page, f"tr[data-version='{draft.pk}'] [data-status=draft]")
    row = html.text(page, f"tr[data-version='{adopted.pk}']")
    assert "2020-01-01" in row
    assert "2019年12月村民代表大会表决通过" in row
    assert "version 1" in html.text(page, "[data-testid=in-force]")
    assert html.select(page, "[data-testid=applies-badge]")
    assert not html.select(page, "[data-testid=version-new]")  # a 执委 reads only


def test_a_zhiwei_reads_a_version_without_any_button_to_change_it(world) -> None:
    draft = draft_of(world)
    for version in (draft, draft.scheme.versions.get(number=1)):
        page = world.client_for("huilong_zhiwei").get(reverse("points:version_detail", args=[version.pk]))
        assert page.status_code == 200
        rows = html.texts(page, "[data-testid=rules] tr[data-rule] td:first-child")
        assert rows == ["入户走访", "志愿服务", "县级表彰"]
        visit = html.text(page, f"tr#rule-{version.rules.get(name='入户走访').pk}")
        assert "2 points each" in visit
        assert "6 / 300" in visit
        assert "Confirmed duty: Home visits" in visit
        assert "1 point an hour" in page.content.decode()
        assert "Her household (共得共享)" in page.content.decode()
        assert html.texts(page, "[data-testid=levels] td:first-child") == ["一星", "二星"]
        assert not html.select(page, "main form[method=post]")
        assert not html.select(page, "[data-testid=rule-create]")
        assert not html.select(page, "[data-testid=adopt]")
    # Her crafted requests are refused: the scheme is hers to read, not to change.
    rule = draft.rules.order_by("id")[0]
    client = world.client_for("huilong_zhiwei")
    assert client.get(reverse("points:rule_edit", args=[rule.pk])).status_code == 403
    assert client.post(reverse("points:rule_delete", args=[rule.pk])).status_code == 403
    assert Rule.objects.filter(pk=rule.pk).exists()


def test_an_adopted_version_says_it_is_read_only_even_to_its_administrator(world) -> None:
    made = scheme(world)
    version = made.versions.get()
    page = world.client_for("youxian_admin").get(reverse("points:version_detail", args=[version.pk]))
    assert "Adopted and in use; to change it, start a new version." in html.text(page, "[data-testid=frozen]")
    assert not html.select(page, "main form[method=post]")
    assert not html.select(page, "[data-testid=rule-create]")
    assert html.select(page, f"a[href='{reverse('points:version_new', args=[made.pk])}']")
    assert "In force today." in html.text(page, "[data-testid=frozen]")


def test_a_version_adopted_for_a_later_day_says_from_when(world) -> None:
    draft = draft_of(world)
    today = timezone.localdate()
    later = today + datetime.timedelta(days=30)
    admin = world.user("city_admin")
    service.version_update(actor=admin, version=draft, valid_from=later, caps_required=True, second_review_above=20)
    service.version_adopt(actor=admin, version=draft, adopted_on=today, decision="县妇联执委会表决通过")
    page = world.client_for("huilong_zhiwei").get(reverse("points:version_detail", args=[draft.pk]))
    assert f"In force from {later.isoformat()}." in html.text(page, "[data-testid=frozen]")
    earlier = world.client_for("huilong_zhiwei").get(
        reverse("points:version_detail", args=[draft.scheme.versions.get(number=1).pk])
    )
    assert "In force today." in html.text(earlier, "[data-testid=frozen]")


def test_the_administrator_sees_the_buttons_of_a_draft(world) -> None:
    draft = draft_of(world)
    page = world.client_for("youxian_admin").get(reverse("points:version_detail", args=[draft.pk]))
    assert html.select(page, "[data-testid=rule-create]")
    assert html.select(page, "[data-testid=adopt]")
    rule = draft.rules.order_by("id")[0]
    assert html.select(page, f"form[action='{reverse('points:rule_delete', args=[rule.pk])}']")


# --- keeping the rules ----------------------------------------------------------------------


def test_a_county_creates_its_scheme_fills_the_draft_and_adopts_it(world) -> None:
    client = world.client_for("youxian_admin")
    form = client.get(reverse("points:scheme_create"))
    assert [e.text for e in html.select(form, "select[name=org] option")] == ["攸县妇联"] or len(
        html.select(form, "select[name=org] option")
    ) == 1
    response = client.post(
        reverse("points:scheme_create"),
        {"org": world.org("youxian").code, "name": "攸悠我行积分", "valid_from": "2026-07-01"},
    )
    assert response.status_code == 302
    made = Scheme.objects.get(org=world.org("youxian"))
    version = made.versions.get()
    assert response.url == reverse("points:version_detail", args=[version.pk])
    assert (
        client.post(
            reverse("points:category_create", args=[version.pk]), {"name": "履职尽责", "position": "1"}
        ).status_code
        == 302
    )
    response = client.post(reverse("points:rule_create", args=[version.pk]), rule_data(version))
    assert response.status_code == 302, html.alerts(response)
    assert rules_of(version) == [("政策宣讲", 3, 6, 200)]
    assert (
        client.post(reverse("points:level_create", args=[version.pk]), {"name": "一星", "threshold": "10"}).status_code
        == 302
    )
    honour = {
        "title": "文明实践之星",
        "basis": HonourBasis.RANK,
        "holder_kind": "person",
        "level": Level.VILLAGE,
        "top": "3",
        "threshold": "",
        "benefit": "优先推荐评优",
    }
    assert client.post(reverse("points:honour_create", args=[version.pk]), honour).status_code == 302
    settings = {"valid_from": "2026-07-01", "caps_required": "on", "second_review_above": "30"}
    assert client.post(reverse("points:version_settings", args=[version.pk]), settings).status_code == 302
    adopt = {"adopted_on": "2026-06-20", "decision": "2026年6月县妇联执委会表决通过"}
    response = client.post(reverse("points:version_adopt", args=[version.pk]), adopt)
    assert response.status_code == 302
    version.refresh_from_db()
    assert (version.status, version.adopted_on, version.second_review_above) == (
        VersionStatus.ADOPTED,
        datetime.date(2026, 6, 20),
        30,
    )
    assert HonourRule.objects.get(version=version).top == 3
    assert PointsLevel.objects.get(version=version).threshold == 10


def test_a_draft_s_rules_categories_levels_and_honours_are_changed_and_deleted(world) -> None:
    draft = draft_of(world)
    client = world.client_for("youxian_admin")
    visit = draft.rules.get(name="入户走访")
    data = rule_data(draft, name="入户走访", work_mode=visit.work_mode_id, points="4", daily_cap="8")
    assert client.post(reverse("points:rule_edit", args=[visit.pk]), data).status_code == 302
    visit.refresh_from_db()
    assert (visit.points, visit.daily_cap) == (4, 8)
    # The adopted version it was copied from keeps its own rule.
    assert draft.scheme.versions.get(number=1).rules.get(name="入户走访").points == 2
    assert client.post(reverse("points:rule_delete", args=[visit.pk])).status_code == 302
    assert not Rule.objects.filter(pk=visit.pk).exists()
    # A category with rules is not deleted; once empty it is.
    duty = draft.categories.get(name="履职尽责")
    refused = client.post(reverse("points:category_delete", args=[duty.pk]))
    assert refused.status_code == 400
    assert "still has rules" in html.text(refused, "[data-testid=problem]")
    draft.rules.filter(category=duty).delete()
    assert client.post(reverse("points:category_delete", args=[duty.pk])).status_code == 302
    assert not Category.objects.filter(pk=duty.pk).exists()
    level = draft.levels.get(name="一星")
    assert (
        client.post(reverse("points:level_edit", args=[level.pk]), {"name": "一星级", "threshold": "15"}).status_code
        == 302
    )
    level.refresh_from_db()
    assert (level.name, level.threshold) == ("一星级", 15)
    assert client.post(reverse("points:level_delete", args=[level.pk])).status_code == 302
    assert not PointsLevel.objects.filter(pk=level.pk).exists()


def test_a_new_version_copies_the_latest_and_starts_after_it(world) -> None:
    made = scheme(world)
    client = world.client_for("youxian_admin")
    url = reverse("points:version_new", args=[made.pk])
    early = client.post(url, {"valid_from": "2020-01-01"})
    assert early.status_code == 400
    assert "a day after 2020-01-01" in html.field_errors(early, "valid_from")[0]
    assert made.versions.count() == 1
    response = client.post(url, {"valid_from": "2027-01-01"})
    assert response.status_code == 302
    draft = made.versions.get(number=2)
    assert [r.name for r in draft.rules.all()] == ["入户走访", "志愿服务", "县级表彰"]
    # A second draft is not started while one is open.
    again = client.post(url, {"valid_from": "2028-01-01"})
    assert again.status_code == 400
    assert "already has a draft" in html.field_errors(again, "valid_from")[0]


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"points": "0"}, "points", "Points must be more than 0"),
        ({"points": "-5"}, "points", "Points must be more than 0"),
        ({"daily_cap": ""}, "daily_cap", "requires a daily and a yearly cap"),
        ({"yearly_cap": ""}, "yearly_cap", "requires a daily and a yearly cap"),
        ({"daily_cap": "50", "yearly_cap": "20"}, "daily_cap", "daily cap cannot be more than the yearly cap"),
        ({"daily_cap": "0"}, "daily_cap", "A cap is at least 1 point"),
        ({"work_mode": ""}, "work_mode", "Choose the work mode"),
        ({"work_mode": "入户走访"}, "work_mode", "already has a rule for this work mode"),
        ({"reviews_required": "2"}, "two_reviews_above", "Say above how many points"),
        ({"source": Source.AWARD, "award_level": ""}, "award_level", "Choose the level of the awards"),
        ({"source": Source.AWARD, "award_level": Level.COUNTY}, "award_level", "awards of this level"),
        ({"source": Source.AWARD, "award_level": Level.CITY, "per_hour": "on"}, "per_hour", "counted by the hour"),
    ],
)
def test_a_bad_rule_is_refused_beside_its_field_with_the_values_kept(world, changes, field, message) -> None:
    draft = draft_of(world)
    if changes.get("work_mode") == "入户走访":
        changes = {**changes, "work_mode": WorkMode.objects.get(name="入户走访").pk}
    before = rules_of(draft)
    response = world.client_for("youxian_admin").post(
        reverse("points:rule_create", args=[draft.pk]), rule_data(draft, **changes)
    )
    assert response.status_code == 400
    assert any(message in e for e in html.field_errors(response, field)), html.field_errors(response, field)
    assert html.form_data(response.content.decode(), having="points")["name"] == ["政策宣讲"]
    assert rules_of(draft) == before


HONOUR = {"title": "文明实践之星", "holder_kind": "person", "level": Level.VILLAGE, "benefit": ""}


@pytest.mark.parametrize(
    ("url", "data", "field", "message"),
    [
        (
            "points:category_create",
            {"name": "履职尽责", "position": "1"},
            "name",
            "already has a category of that name",
        ),
        (
            "points:level_create",
            {"name": "三星", "threshold": "10"},
            "threshold",
            "Another level starts at these points",
        ),
        ("points:level_create", {"name": "三星", "threshold": "-1"}, "threshold", "starts at 0 points or more"),
        ("points:honour_create", {**HONOUR, "basis": "rank", "top": ""}, "top", "Say how many at the top"),
        ("points:honour_create", {**HONOUR, "basis": "threshold", "threshold": ""}, "threshold", "from how many"),
    ],
)
def test_a_bad_category_level_or_honour_is_refused_beside_its_field(world, url, data, field, message) -> None:
    draft = draft_of(world)
    counts = (draft.categories.count(), draft.levels.count(), draft.honour_rules.count())
    response = world.client_for("youxian_admin").post(reverse(url, args=[draft.pk]), data)
    assert response.status_code == 400
    assert any(message in e for e in html.field_errors(response, field)), html.field_errors(response, field)
    assert (draft.categories.count(), draft.levels.count(), draft.honour_rules.count()) == counts


def test_a_version_without_caps_required_takes_a_rule_without_caps(world) -> None:
    draft = draft_of(world)
    client = world.client_for("youxian_admin")
    settings = {"valid_from": "2027-01-01", "second_review_above": "20"}  # the box left empty
    assert client.post(reverse("points:version_settings", args=[draft.pk]), settings).status_code == 302
    data = rule_data(draft, daily_cap="", yearly_cap="")
    assert client.post(reverse("points:rule_create", args=[draft.pk]), data).status_code == 302
    assert ("政策宣讲", 3, None, None) in rules_of(draft)


def test_the_settings_refuse_a_day_not_after_the_version_in_use(world) -> None:
    draft = draft_of(world)
    settings = {"valid_from": "2019-06-01", "caps_required": "on", "second_review_above": "20"}
    response = world.client_for("youxian_admin").post(reverse("points:version_settings", args=[draft.pk]), settings)
    assert response.status_code == 400
    assert "a day after 2020-01-01" in html.field_errors(response, "valid_from")[0]
    assert html.form_data(response.content.decode(), having="valid_from")["valid_from"] == ["2019-06-01"]
    draft.refresh_from_db()
    assert draft.valid_from == datetime.date(2027, 1, 1)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"adopted_on": "2026-12-01", "decision": ""}, "decision", "This field is required."),
        ({"adopted_on": "2027-02-01", "decision": "县妇联执委会"}, "adopted_on", "adopted before the day"),
    ],
)
def test_adopting_needs_a_decision_and_a_day_before_it_is_in_force(world, data, field, message) -> None:
    draft = draft_of(world)
    response = world.client_for("youxian_admin").post(reverse("points:version_adopt", args=[draft.pk]), data)
    assert response.status_code == 400
    assert any(message in e for e in html.field_errors(response, field))
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_a_draft_without_rules_is_not_adopted(world) -> None:
    draft = draft_of(world)
    draft.rules.all().delete()
    data = {"adopted_on": "2026-12-01", "decision": "县妇联执委会表决通过"}
    response = world.client_for("youxian_admin").post(reverse("points:version_adopt", args=[draft.pk]), data)
    assert response.status_code == 400
    assert "add its rules first" in " ".join(html.alerts(response, "danger"))


def test_an_adopted_version_is_refused_any_change_even_by_a_crafted_post(world) -> None:
    made = scheme(world)
    version = made.versions.get()
    rule = version.rules.get(name="入户走访")
    client = world.client_for("youxian_admin")
    form = client.get(reverse("points:rule_edit", args=[rule.pk]))
    assert form.status_code == 200
    assert html.select(form, "[data-testid=frozen]")
    assert not html.select(form, "[data-testid=save]")
    before = rules_of(version)
    crafted = client.post(
        reverse("points:rule_edit", args=[rule.pk]), rule_data(version, name="入户走访", work_mode=rule.work_mode_id)
    )
    assert crafted.status_code == 400
    assert "is adopted and in use: it cannot change" in " ".join(html.alerts(crafted, "danger"))
    deleted = client.post(reverse("points:rule_delete", args=[rule.pk]))
    assert deleted.status_code == 400
    assert "cannot change" in html.text(deleted, "[data-testid=problem]")
    added = client.post(reverse("points:rule_create", args=[version.pk]), rule_data(version))
    assert added.status_code == 400
    level = version.levels.order_by("id")[0]
    assert (
        client.post(reverse("points:level_edit", args=[level.pk]), {"name": "X", "threshold": "1"}).status_code == 400
    )
    settings = {"valid_from": "2021-01-01", "caps_required": "on", "second_review_above": "5"}
    assert client.post(reverse("points:version_settings", args=[version.pk]), settings).status_code == 400
    again = {"adopted_on": "2020-01-01", "decision": "再次表决"}
    assert client.post(reverse("points:version_adopt", args=[version.pk]), again).status_code == 400
    assert rules_of(version) == before
    version.refresh_from_db()
    assert (version.valid_from, version.second_review_above, version.decision) == (
        START,
        20,
        "2019年12月村民代表大会表决通过",
    )
    assert level.name == PointsLevel.objects.get(pk=level.pk).name


# --- permission -----------------------------------------------------------------------------


def test_another_county_s_scheme_is_not_found_and_the_city_s_is_read_only(world) -> None:
    yanling = draft_of(world, "yanling")
    city = draft_of(world, "city")
    client = world.client_for("youxian_admin")
    rule = yanling.rules.order_by("id")[0]
    assert client.get(reverse("points:version_detail", args=[yanling.pk])).status_code == 404
    assert client.get(reverse("points:rule_edit", args=[rule.pk])).status_code == 404
    crafted = client.post(reverse("points:rule_edit", args=[rule.pk]), rule_data(yanling, points="99"))
    assert crafted.status_code == 404
    assert client.post(reverse("points:rule_delete", args=[rule.pk])).status_code == 404
    assert Rule.objects.get(pk=rule.pk).points == rule.points
    # The city's scheme applies to 攸县 too: it reads it, and may not change it.
    assert client.get(reverse("points:version_detail", args=[city.pk])).status_code == 200
    city_rule = city.rules.order_by("id")[0]
    assert client.get(reverse("points:rule_edit", args=[city_rule.pk])).status_code == 403
    assert client.post(reverse("points:version_adopt", args=[city.pk]), {}).status_code == 403


def test_only_the_city_or_a_county_keeps_a_scheme_and_only_one(world) -> None:
    scheme(world, "youxian")
    client = world.client_for("youxian_admin")
    page = client.get(reverse("points:scheme_create"))
    assert "is without a scheme" in " ".join(html.alerts(page))
    response = client.post(
        reverse("points:scheme_create"),
        {"org": world.org("xinshi").code, "name": "新市镇积分", "valid_from": "2026-07-01"},
    )
    assert response.status_code == 400
    assert html.field_errors(response, "org")
    assert world.client_for("xinshi_staff").get(reverse("points:scheme_create")).status_code == 403
    # The list offers a new scheme only where one can be made.
    assert not html.select(client.get(LIST), "[data-testid=scheme-create]")
    assert html.select(world.client_for("city_admin").get(LIST), "[data-testid=scheme-create]")


# --- queries --------------------------------------------------------------------------------


def test_the_list_takes_the_same_queries_for_more_schemes(world) -> None:
    client = world.client_for("city_admin")
    scheme(world, "youxian")
    page_queries(client, LIST)
    few = page_queries(client, LIST)
    draft_of(world, "yanling")
    scheme(world, "city")
    more = page_queries(client, LIST)
    assert more <= few


def test_a_version_page_takes_the_same_queries_for_more_rules(world) -> None:
    draft = draft_of(world)
    client = world.client_for("youxian_admin")
    url = reverse("points:version_detail", args=[draft.pk])
    page_queries(client, url)
    few = page_queries(client, url)
    admin = world.user("city_admin")
    category = service.category_save(actor=admin, version=draft, name="志愿服务", position=3)
    for mode in WorkMode.objects.exclude(name__in=["入户走访", "志愿服务"]):
        service.rule_save(
            actor=admin,
            version=draft,
            category=category,
            name=mode.name,
            source=Source.DUTY,
            work_mode=mode,
            points=1,
            daily_cap=2,
            yearly_cap=20,
            reviews_required=1,
        )
    service.level_save(actor=admin, version=draft, name="三星", threshold=100)
    service.honour_rule_save(
        actor=admin, version=draft, title="星级文明户", basis=HonourBasis.THRESHOLD, threshold=100, level=Level.VILLAGE
    )
    more = page_queries(client, url)
    assert draft.rules.count() > 5
    assert more <= few
