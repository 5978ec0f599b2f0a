"""The deployment smoke test's browser and API half (tests/deploy/smoke.sh starts the servers).

A phone-sized Chromium logs in over HTTPS through nginx, uploads a large household sheet and sees
it checked by the worker, prepares a long export and downloads it; an API client finds its `next`
links in https://; plain HTTP is redirected; an oversized upload gets nginx's page that says so.

    python tests/deploy/smoke_browser.py https://localhost:18443 http://localhost:18080 SHEET.csv TOWNSHIP_CODE
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.chromium import CHROMIUM, CHROMIUM_ARGS

PASSWORD = "Fulian-Demo-2026"
USER = "xinshi_staff"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def step(text: str) -> None:
    print(f"--- smoke: {text}", flush=True)


def main(base: str, plain: str, sheet: Path, township: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 360, "height": 640},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
            ignore_https_errors=True,  # the smoke test's certificate is self-signed
            accept_downloads=True,
        )
        context.set_default_timeout(20_000)
        page = context.new_page()
        refused: list[str] = []
        page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
        try:
            run(page, base, plain, sheet, township)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "FAILED-deploy-smoke.png"), full_page=True)
            raise
        assert not refused, f"Content-Security-Policy violations: {refused}"
        browser.close()


def run(page, base: str, plain: str, sheet: Path, township: str) -> None:  # type: ignore[no-untyped-def]
    step("plain HTTP is redirected to HTTPS")
    response = page.request.get(f"{plain}/accounts/login/", max_redirects=0)
    assert response.status == 301, response.status
    assert response.headers["location"].startswith("https://"), response.headers["location"]

    step("log in over HTTPS on a phone")
    response = page.goto(f"{base}/accounts/login/")
    assert response is not None
    headers = response.headers
    assert "max-age=31536000" in headers.get("strict-transport-security", ""), headers
    assert "script-src 'self'" in headers.get("content-security-policy", ""), headers
    page.locator("input[name=identifier]").fill(USER)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()  # a POST: CSRF's origin check passes
    expect(page).to_have_url(f"{base}/")
    session = [c for c in page.context.cookies() if c["name"] == "sessionid"]
    assert session, "no session cookie"
    assert session[0]["secure"], session
    page.screenshot(path=str(ARTIFACTS / "deploy-smoke-home-phone.png"))

    megabytes = sheet.stat().st_size / 1024 / 1024
    step(f"upload a {megabytes:.1f} MB household sheet; the worker checks it")
    page.goto(f"{base}/households/")
    page.get_by_role("link", name="导入表格").click()
    # The organisation picker: the township typed by its code and picked from the suggestions.
    picker = page.get_by_role("combobox")
    picker.fill(township)
    page.get_by_role("option").first.click()
    expect(picker).not_to_have_value(township)  # the pick shows the township's name
    page.locator("input[name=file]").set_input_files(str(sheet))
    page.get_by_role("button", name="上传并检查").click()
    main = page.locator("main")
    # Checked, or failed with the reason on the page (waiting for either, then asserting, shows it).
    expect(main).to_contain_text(re.compile("已检查，等待确认|失败|已取消"), timeout=240_000)
    expect(main).to_contain_text("已检查，等待确认", timeout=1_000)
    rows = sum(1 for _ in sheet.open("rb")) - 1
    expect(main).to_contain_text(re.compile(rf"\b{rows:,}\b|\b{rows}\b"))  # every row arrived
    page.screenshot(path=str(ARTIFACTS / "deploy-smoke-import-phone.png"), full_page=True)

    step("an upload over the limit gets nginx's page that says so")
    big = page.request.post(
        f"{base}/imports/new/households/",
        multipart={"file": {"name": "big.csv", "mimeType": "text/csv", "buffer": b"x" * (22 * 1024 * 1024)}},
    )
    assert big.status == 413, big.status
    assert "文件太大" in big.text(), big.text()[:200]

    step("prepare a long export in the worker, then download it")
    page.goto(f"{base}/households/")
    page.get_by_role("link", name="Excel (.xlsx)").click()
    expect(page.get_by_role("heading", name="大批量导出")).to_be_visible()
    page.get_by_role("button", name="开始生成").click()
    expect(page.get_by_text("可以下载")).to_be_visible(timeout=120_000)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("下载")).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet_rows = list(load_workbook(io.BytesIO(download.value.path().read_bytes())).active.iter_rows(values_only=True))
    assert len(sheet_rows) > 2, sheet_rows

    step("the API's next links are https://")
    token = page.request.post(
        f"{base}/api/v1/auth/token/", data={"username": USER, "password": PASSWORD, "name": "smoke test"}
    )
    assert token.ok, token.text()
    auth = {"Authorization": f"Token {token.json()['token']}"}
    listing = page.request.get(f"{base}/api/v1/households/?page_size=1", headers=auth)
    assert listing.ok, listing.text()
    next_link = listing.json()["next"]
    assert next_link, listing.text()
    assert next_link.startswith(f"{base}/api/v1/households/"), next_link
    print(f"--- smoke: browser and API steps passed ({megabytes:.1f} MB sheet, {rows:,} rows)", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], Path(sys.argv[3]), sys.argv[4])
