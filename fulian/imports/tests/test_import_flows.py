"""Imports end to end through the pages and the API, by users of different subtrees."""

from html import unescape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from fulian.audit.models import AuditEvent
from fulian.core.spreadsheets import read_table
from fulian.households.models import Household
from fulian.imports.models import ImportBatch
from fulian.imports.problems import shown
from fulian.imports.tests.files import xlsx
from fulian.people.models import Person
from fulian.testing import html
from fulian.testing.world import World

pytestmark = pytest.mark.django_db
OFFICE_FILES = Path(__file__).resolve().parents[2] / "core" / "tests" / "files"


def households_file() -> bytes:
    return xlsx(
        [["村（社区）", "户主姓名", "联系电话"], ["回龙村", "周建国", "13907330101"], ["回龙村", "李德福", "139"]],
        title="回龙村户情台账",
    )


def upload(client, kind: str, org: str, data: bytes, name: str = "台账.xlsx"):
    return client.post(reverse("imports:create", args=[kind]), {"org": org, "file": SimpleUploadedFile(name, data)})


def test_upload_preview_then_import_in_the_browser(world: World) -> None:
    client = world.client_for("xinshi_staff")
    response = upload(client, "households", world.org("xinshi").code, households_file())
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert batch.status == "previewed"
    page = client.get(reverse("imports:detail", args=[batch.pk]), headers={"accept-language": "en"}).content.decode()
    with translation.override("en"):
        assert shown(batch.report["problems"][0])["message"] in unescape(page)
    assert "回龙村户情台账" in page
    assert not Household.objects.exists()
    done = client.post(
        reverse("imports:commit", args=[batch.pk]), {"sha256": batch.sha256, "valid_rows": 1}, follow=True
    )
    batch.refresh_from_db()
    assert done.status_code == 200
    assert batch.status == "imported"
    assert batch.imported == 1
    assert list(Household.objects.values_list("head_name", flat=True)) == ["周建国"]
    event = AuditEvent.objects.get(action="import")
    assert event.actor_name == "xinshi_staff"
    assert event.changes["rows"] == 1


def test_a_stale_commit_is_refused_and_cancel_imports_nothing(world: World) -> None:
    client = world.client_for("xinshi_staff")
    upload(client, "households", world.org("xinshi").code, households_file())
    batch = ImportBatch.objects.get()
    client.post(reverse("imports:commit", args=[batch.pk]), {"sha256": batch.sha256, "valid_rows": 2})
    batch.refresh_from_db()
    assert batch.status == "previewed"
    assert not Household.objects.exists()
    client.post(reverse("imports:cancel", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "cancelled"
    client.post(reverse("imports:commit", args=[batch.pk]), {"sha256": batch.sha256, "valid_rows": 1})
    assert not Household.objects.exists()


def test_two_uploads_of_one_file_import_it_once(world: World) -> None:
    first, second = world.client_for("xinshi_staff"), world.client_for("youxian_admin")
    second.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the upload's language is its report's
    upload(first, "households", world.org("xinshi").code, households_file())
    upload(second, "households", world.org("youxian").code, households_file())
    a, b = ImportBatch.objects.order_by("id")
    first.post(reverse("imports:commit", args=[a.pk]), {"sha256": a.sha256, "valid_rows": 1})
    second.post(reverse("imports:commit", args=[b.pk]), {"sha256": b.sha256, "valid_rows": 1})
    b.refresh_from_db()
    assert Household.objects.count() == 1
    assert b.status == "previewed"
    # The household the first upload added is now stored: the row matches it and changes nothing.
    assert (b.report["new_rows"], b.report["unchanged_rows"]) == (0, 1)
    assert b.message == (
        "Since the preview, records this file updates were changed (by someone else or another import). "
        "Nothing was imported; look at the new preview and import again."
    )


def test_an_organisation_outside_the_scope_and_bad_files_are_refused_at_upload(world: World) -> None:
    client = world.client_for("xinshi_staff")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = upload(client, "households", world.org("shucai").code, households_file())
    assert response.status_code == 400
    assert html.field_errors(response, "org") == ["No organisation with code 430225100215 in your area."]
    assert not ImportBatch.objects.exists()
    empty = upload(client, "households", world.org("xinshi").code, b"")
    assert empty.status_code == 400
    assert html.field_errors(empty, "file") == ["The submitted file is empty."]
    assert not ImportBatch.objects.exists()
    upload(client, "households", world.org("xinshi").code, b"%PDF-1.4 not a sheet", "x.pdf")
    failed = ImportBatch.objects.get()
    assert failed.status == "failed"
    assert failed.message.startswith("No header row was found in the first 15 rows.")  # read as text, as a .csv
    assert world.client_for("huilong_zhiwei").get(reverse("imports:create", args=["people"])).status_code == 404


def test_the_api_uploads_previews_and_imports(world: World) -> None:
    api = world.api_for("xinshi_staff")
    api.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    created = api.post(
        reverse("api:import-list"),
        {
            "kind": "households",
            "org": world.org("xinshi").code,
            "file": SimpleUploadedFile("t.xlsx", households_file()),
        },
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "previewed"
    assert body["report"]["valid_rows"] == 1
    assert body["report"]["problems"][0]["row"] == 4
    assert body["report"]["problems"][0]["column"] == "C"
    sample = body["report"]["sample"]
    assert [item["row"] for item in sample] == [3]
    assert ["Phone", "139****0101"] in sample[0]["values"]
    assert ["Head of household", "周建国"] in sample[0]["values"]
    stale = api.post(reverse("api:import-commit", args=[body["id"]]), {"sha256": "0" * 64, "valid_rows": 1})
    assert stale.status_code == 400
    assert not Household.objects.exists()
    done = api.post(reverse("api:import-commit", args=[body["id"]]), {"sha256": body["sha256"], "valid_rows": 1})
    assert done.json()["status"] == "imported"
    assert Household.objects.count() == 1
    assert world.api_for("yanling_admin").get(reverse("api:import-detail", args=[body["id"]])).status_code == 404


def test_templates_open_again_with_text_columns(world: World) -> None:
    client = world.client_for("xinshi_staff")
    for kind, field in (("people", "name"), ("households", "head_name")):
        response = client.get(reverse("imports:template", args=[kind]))
        from fulian.imports import engine

        spec = engine.kind_named(kind)
        table = read_table(response.content, "t.xlsx", columns=dict(spec.columns))
        assert field in table.fields
        assert len(table.rows) == 1


def test_a_roster_saved_by_libreoffice_as_xls_imports(world: World) -> None:
    client = world.client_for("xinshi_staff")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    upload(client, "people", world.org("xinshi").code, (OFFICE_FILES / "roster.xls").read_bytes(), "花名册.xls")
    batch = ImportBatch.objects.get()
    assert batch.status == "previewed", batch.message
    assert batch.report["title"] == "株洲市攸县新市镇妇联执委花名册"
    assert batch.report["rows"] == 4
    assert batch.report["valid_rows"] == 2
    problems = {(p["row"], p["column"]): shown(p)["message"] for p in batch.report["problems"]}
    assert sorted(problems) == [(5, "C"), (6, "C"), (6, "E")]
    assert "only 15 significant digits" in problems[(5, "C")]  # 王芳's number, destroyed by Excel
    client.post(reverse("imports:commit", args=[batch.pk]), {"sha256": batch.sha256, "valid_rows": 2})
    batch.refresh_from_db()
    assert (batch.status, batch.imported) == ("imported", 2)
    assert sorted(Person.objects.values_list("name", flat=True)) == ["张桃华", "李秀英"]


def test_the_imports_list_runs_the_same_queries_for_1_or_12_uploads(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = world.client_for("xinshi_staff")
    upload(client, "households", world.org("xinshi").code, households_file())
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("imports:list"))
    for _ in range(11):
        upload(client, "households", world.org("xinshi").code, households_file())
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("imports:list"))
    assert len(html.select(response, "main tbody tr")) == 12
    assert len(many) == len(few)


def test_the_uploaded_file_is_kept_encrypted_and_deleted_once_imported(world: World) -> None:
    from fulian.testing.ids import id_number

    number = id_number("430223", "19600101", "M")
    data = xlsx([["村", "户主姓名", "身份证号"], ["回龙村", "周建国", number]])
    client = world.client_for("xinshi_staff")
    upload(client, "households", world.org("xinshi").code, data)
    batch = ImportBatch.objects.get()
    stored = Path(batch.file.path)
    assert data not in stored.read_bytes()
    assert b"PK" not in stored.read_bytes()[:40]
    client.post(reverse("imports:commit", args=[batch.pk]), {"sha256": batch.sha256, "valid_rows": 1})
    batch.refresh_from_db()
    assert batch.status == "imported"
    assert not batch.file
    assert not stored.exists()
