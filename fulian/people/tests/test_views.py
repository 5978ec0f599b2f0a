import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from fulian.audit.models import AuditEvent
from fulian.people.choices import PostKind
from fulian.people.models import Person, Post
from fulian.people.tests.helpers import person, post
from fulian.testing import html
from fulian.testing.ids import id_number
from fulian.testing.world import World

pytestmark = pytest.mark.django_db


def names(response: object) -> list[str]:
    """The names in the list's results (not the search box, which keeps what was typed)."""
    return html.texts(response, "#person-results td:first-child > a")


@pytest.mark.parametrize("q", ["zth", "zhongtaohua", "ZTH", "钟", "钟桃华", "13907331215", "139-0733-1215"])
def test_search_finds_by_pinyin_name_and_phone(world: World, q: str) -> None:
    person(world, "shucai", "钟桃华", mobile="13907331215")
    person(world, "shucai", "李秀英")
    page = world.client_for("yanling_admin").get(reverse("people:list"), {"q": q})
    # The search box shows what was typed (钟桃华 too): the names are read from the results.
    assert names(page) == ["钟桃华"]


def test_search_by_id_number_is_exact(world: World) -> None:
    number = id_number("430225", "19700101")
    person(world, "shucai", "钟桃华", id_number=number)
    client = world.client_for("yanling_admin")
    assert names(client.get(reverse("people:list"), {"q": number})) == ["钟桃华"]
    one_digit_off = number[:10] + ("1" if number[10] != "1" else "2") + number[11:]
    assert names(client.get(reverse("people:list"), {"q": one_digit_off})) == []
    results = client.get(reverse("people:list"), {"q": number}, headers={"hx-request": "true"}).content.decode()
    assert number not in results
    assert number[:6] + "********" + number[-4:] in results


def test_filters_by_organisation_subtree_kind_and_post(world: World) -> None:
    chair = person(world, "huilong", "周桂姣")
    post(world, chair, "huilong", PostKind.CHAIR)
    person(world, "daqiaotou", "李秀英", volunteer_since=datetime.date(2023, 3, 5))
    client = world.client_for("xinshi_staff")
    assert names(client.get(reverse("people:list"), {"org": world.org("huilong").code})) == ["周桂姣"]
    assert names(client.get(reverse("people:list"), {"kind": "volunteer"})) == ["李秀英"]
    assert names(client.get(reverse("people:list"), {"post": "chair"})) == ["周桂姣"]
    response = client.get(reverse("people:list"), {"org": world.org("shucai").code}, HTTP_ACCEPT_LANGUAGE="en")
    assert html.field_errors(response, "org") == ["No organisation with code 430225100215 in your area."]
    assert "is-invalid" in html.select_one(response, "#id_org").classes


def test_the_list_runs_the_same_queries_for_5_or_50_people(world: World) -> None:
    client = world.client_for("xinshi_staff")
    for n in range(5):
        post(world, person(world, "huilong", f"周桂{n}"), "huilong")
    client.get(reverse("people:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("people:list"))
    for n in range(45):
        post(world, person(world, "daqiaotou", f"李秀{n}"), "daqiaotou" if n % 2 else "xinshi")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("people:list"))
    assert len(names(response)) == 50
    assert len(many) == len(few)
    # A township is counted exactly (its total is shown), on its own ancestry column: cheap.
    counted = [q["sql"] for q in many.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counted) == 1
    assert "township_id" in counted[0]
    assert html.text(response, "[data-testid=list-total]") == "共 50 人"


def test_export_is_masked_by_default_and_full_export_is_audited(world: World) -> None:
    number = id_number("430223", "19750302")
    person(world, "huilong", "周桂姣", id_number=number, mobile="13907331215")
    client = world.client_for("xinshi_staff")
    masked = load_workbook(io.BytesIO(client.get(reverse("people:export")).content))
    values = [c.value for row in masked.active.iter_rows() for c in row]
    assert "周桂姣" in values
    assert number not in values
    assert "139****1215" in values
    full = client.get(reverse("people:export"), {"full": "1", "org": world.org("huilong").code})
    values = [c.value for row in load_workbook(io.BytesIO(full.content)).active.iter_rows() for c in row]
    assert number in values
    assert "13907331215" in values
    event = AuditEvent.objects.filter(action="export").latest("id")
    assert event.changes["rows"] == 1
    assert event.actor_name == "xinshi_staff"


def test_a_viewer_exports_masked_but_not_full(world: World) -> None:
    person(world, "huilong", "周桂姣", mobile="13907331215")
    client = world.client_for("leader")
    assert client.get(reverse("people:export"), {"format": "csv"}).content.decode("utf-8-sig").count("139****1215") == 1
    assert client.get(reverse("people:export"), {"full": "1"}).status_code == 403


def test_create_edit_and_reveal_through_the_pages(world: World) -> None:
    client = world.client_for("xinshi_staff")
    number = id_number("430223", "19690815")
    response = client.post(
        reverse("people:create"),
        {"org": world.org("huilong").code, "name": "周桂姣", "id_number": number, "mobile": "13907331215"},
    )
    p = Person.objects.get(name="周桂姣")
    assert response.status_code == 302
    assert p.birth_date == datetime.date(1969, 8, 15)
    page = client.get(reverse("people:detail", args=[p.pk])).content.decode()
    assert number not in page
    assert p.id_number_masked in page
    revealed = client.post(reverse("people:reveal", args=[p.pk]), {"field": "id_number"})
    assert number in revealed.content.decode()
    edit = client.post(
        reverse("people:edit", args=[p.pk]),
        {"org": world.org("huilong").code, "name": "周桂姣", "id_number": "", "mobile": "13907331216"},
    )
    assert edit.status_code == 302
    p.refresh_from_db()
    assert p.id_number == number
    assert p.mobile == "13907331216"


def test_a_form_error_keeps_the_values_and_names_the_field(world: World) -> None:
    client = world.client_for("xinshi_staff")
    response = client.post(
        reverse("people:create"),
        {"org": world.org("huilong").code, "name": "周桂姣", "id_number": "4.30223E+17"},
        headers={"accept-language": "en"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "scientific" in page.lower()
    assert 'value="周桂姣"' in page


def test_an_executive_member_reads_but_does_not_change(world: World) -> None:
    p = person(world, "huilong", "周桂姣", mobile="13907331215")
    client = world.client_for("huilong_zhiwei")
    page = client.get(reverse("people:detail", args=[p.pk])).content.decode()
    assert "周桂姣" in page
    assert "139****1215" in page
    assert "hx-post" not in page
    assert client.get(reverse("people:create")).status_code == 403
    assert client.get(reverse("people:edit", args=[p.pk])).status_code == 403
    assert client.post(reverse("people:reveal", args=[p.pk]), {"field": "mobile"}).status_code == 403


def test_roster_page_posts_and_changeover(world: World) -> None:
    client = world.client_for("xinshi_staff")
    huilong = world.org("huilong")
    chair = post(world, person(world, "huilong", "周桂姣"), "huilong", PostKind.CHAIR)
    post(world, person(world, "huilong", "李秀英"), "huilong")
    page = client.get(reverse("people:roster", args=[huilong.pk])).content.decode()
    assert page.index("周桂姣") < page.index("李秀英")
    response = client.post(
        reverse("people:changeover", args=[huilong.pk]), {"on": "2026-09-01", "carry_over": [str(chair.pk)]}
    )
    assert response.status_code == 302
    assert list(Post.objects.filter(end_date__isnull=True).values_list("person__name", "term__number")) == [
        ("周桂姣", 2)
    ]


def test_adding_a_post_from_the_person_page(world: World) -> None:
    p = person(world, "huilong", "周桂姣")
    client = world.client_for("xinshi_staff")
    response = client.post(
        reverse("people:post_create", args=[p.pk]),
        {"org": world.org("xinshi").code, "kind": "member", "start_date": "2021-09-01", "is_representative": "on"},
    )
    assert response.status_code == 302
    assert Post.objects.get(person=p).is_representative
    refused = client.post(
        reverse("people:post_create", args=[p.pk]),
        {"org": world.org("shucai").code, "kind": "member", "start_date": "2021-09-01"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.redirect_chain == [(reverse("people:detail", args=[p.pk]), 302)]
    assert html.alerts(refused, "danger") == ["At organisation: No organisation with code 430225100215 in your area."]
    assert Post.objects.filter(person=p).count() == 1


def test_filter_by_term_finds_the_posts_of_an_ended_term(world: World) -> None:
    from fulian.people import services

    leaving = post(world, person(world, "huilong", "李秀英"), "huilong")
    staying = post(world, person(world, "huilong", "周桂姣"), "huilong", PostKind.CHAIR)
    services.term_changeover(
        actor=world.user("xinshi_staff"), org=world.org("huilong"), on=datetime.date(2026, 9, 1), carry_over=[staying]
    )
    client = world.client_for("xinshi_staff")
    leaving.refresh_from_db()
    assert leaving.end_date == datetime.date(2026, 9, 1)
    assert sorted(names(client.get(reverse("people:list"), {"term": "1"}))) == ["周桂姣", "李秀英"]
    assert names(client.get(reverse("people:list"), {"term": "2", "post": "chair"})) == ["周桂姣"]
    assert names(client.get(reverse("people:list"), {"term": "2"})) == ["周桂姣"]
