"""Real-browser flows of the roster, the household registry and imports."""

from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import Workbook, load_workbook
from playwright.sync_api import Page, expect

from fulian.households.models import Household
from fulian.households.tests.helpers import household
from fulian.people.choices import PostKind
from fulian.people.tests.helpers import person, post
from fulian.testing.world import World
from tests.browser.pages import log_in, scroll_width, shot

PHONE_WIDTH = 360


def test_find_by_pinyin_and_reveal_a_phone_on_a_phone(live_server: Any, live_world: World, phone: Page) -> None:
    zhou = person(live_world, "huilong", "周桂姣", mobile="13907331215")
    post(live_world, zhou, "huilong", PostKind.CHAIR)
    person(live_world, "huilong", "李秀英")
    log_in(phone, live_server.url, "xinshi_staff")
    phone.goto(f"{live_server.url}/people/")
    phone.locator("#id_search").fill("zgj")
    results = phone.locator("#person-results")
    expect(results).to_contain_text("周桂姣")
    expect(results).not_to_contain_text("李秀英")
    expect(phone).to_have_url(re.compile(r"[?&]search=zgj"))
    expect(results).to_contain_text("139****1215")
    shot(phone, "40-people-search-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    results.get_by_role("link", name="周桂姣").click()
    expect(phone.locator("main h1")).to_have_text("周桂姣")
    expect(phone.locator("main")).not_to_contain_text("13907331215")
    phone.locator("#person-mobile button").click()
    expect(phone.locator("#person-mobile")).to_contain_text("13907331215")
    shot(phone, "41-person-revealed-phone")
    assert scroll_width(phone) <= PHONE_WIDTH


def _households_file() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["株洲市攸县新市镇户情台账"])
    sheet.merge_cells("A1:E1")
    sheet.append(["村（社区）", "户主姓名", "联系电话", "人口数", "户类别"])
    sheet.append(["回龙村", "周建国", "13907330101", 4, "脱贫户、三留户"])
    sheet.append(["回龙村", "李德福", "139073", 3, ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_households_in_the_browser(live_server: Any, live_world: World, desktop: Page, tmp_path: Any) -> None:
    path = tmp_path / "新市镇户情台账.xlsx"
    path.write_bytes(_households_file())
    log_in(desktop, live_server.url, "xinshi_staff")
    desktop.goto(f"{live_server.url}/households/")
    desktop.get_by_role("link", name="导入表格").click()
    # The uploader's own organisation is filled in.
    expect(desktop.get_by_role("combobox", name="所属组织")).to_have_value("新市镇")
    desktop.locator("input[name=file]").set_input_files(str(path))
    desktop.get_by_role("button", name="上传并检查").click()
    main = desktop.locator("main")
    expect(main).to_contain_text("已检查，等待确认")
    tables = main.locator("table")
    expect(tables.first).to_contain_text("周建国")  # the valid rows as they will be stored
    expect(tables.first).to_contain_text("139****0101")
    expect(tables.last).to_contain_text("C (联系电话)")  # the problem, by row and column
    shot(desktop, "42-import-preview-desktop")
    assert not Household.objects.exists()
    desktop.once("dialog", lambda dialog: dialog.accept())
    desktop.get_by_role("button", name=re.compile("导入 1 行有效数据")).click()
    expect(main.locator(".alert-success")).to_contain_text("已导入 1 行")
    shot(desktop, "43-import-done-desktop")
    desktop.goto(f"{live_server.url}/households/?q=zjg")
    expect(desktop.locator("#household-results")).to_contain_text("周建国")
    expect(desktop.locator("#household-results")).to_contain_text("脱贫户")


def test_household_export_opens_again(live_server: Any, live_world: World, phone: Page) -> None:
    household(live_world, "huilong", "周建国", mobile="13907330101")
    log_in(phone, live_server.url, "xinshi_staff")
    phone.goto(f"{live_server.url}/households/?q=zjg")
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Excel (.xlsx)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "周建国" in values
    assert "139****0101" in values
    shot(phone, "44-households-phone")
    assert scroll_width(phone) <= PHONE_WIDTH


def test_a_long_household_export_is_prepared_then_downloaded(
    live_server: Any, live_world: World, phone: Page, settings: Any
) -> None:
    settings.FULIAN_EXPORT_SYNC_ROWS = 1
    household(live_world, "huilong", "周建国", mobile="13907330101")
    household(live_world, "daqiaotou", "李德福", mobile="13907330102")
    log_in(phone, live_server.url, "xinshi_staff")
    phone.goto(f"{live_server.url}/households/")
    phone.get_by_role("link", name="Excel (.xlsx)").click()
    expect(phone.get_by_role("heading", name="大批量导出")).to_be_visible()
    shot(phone, "45-long-export-offer-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    phone.get_by_role("button", name="开始生成").click()
    expect(phone.get_by_text("可以下载")).to_be_visible()
    shot(phone, "46-long-export-ready-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
    with phone.expect_download() as download:
        phone.get_by_role("link", name=re.compile("下载")).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert {"周建国", "李德福", "139****0101"} <= set(values)
    phone.goto(f"{live_server.url}/exports/")
    expect(phone.get_by_role("cell", name="户情台账")).to_be_visible()
    shot(phone, "47-my-exports-phone")
    assert scroll_width(phone) <= PHONE_WIDTH
