"""The page shell's plumbing: login redirects for htmx, stale forms, JSON under /api/, caching."""

import re

from django.test import Client
from django.urls import reverse

from fulian.testing.world import PASSWORD, World


def test_an_htmx_request_without_a_session_sends_the_whole_window_to_login(db: None) -> None:
    response = Client().get(
        reverse("orgs:list"), {"q": "hlc"}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/orgs/?q=h"
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Forgs%2F%3Fq%3Dh"


def test_a_plain_request_without_a_session_is_redirected_to_login(db: None) -> None:
    response = Client().get(reverse("orgs:list"))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/orgs/"


def test_a_stale_form_gets_a_page_that_says_what_to_do(world: World) -> None:
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("accounts:login"), {"identifier": "xinshi_staff", "password": PASSWORD})
    assert response.status_code == 403
    assert "reload the page and try again" in response.content.decode()


def test_anything_else_under_the_api_is_a_json_404_for_every_method(world: World) -> None:
    client = world.api_for("xinshi_staff")
    for method in (client.get, client.post, client.delete):
        response = method("/api/v1/orgs/0.5/groups/")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
    assert Client(enforce_csrf_checks=True).post("/api/v2/nothing/").status_code == 404


def test_pages_vary_on_htmx_so_a_cached_fragment_never_stands_in_for_a_page(world: World) -> None:
    response = world.client_for("xinshi_staff").get(reverse("orgs:list"))
    assert "HX-Request" in response["Vary"]


def test_absurd_page_numbers_are_an_empty_page_not_an_error(world: World) -> None:
    client = world.client_for("city_admin")
    for page in ("99999999999999999999", "-3", "abc"):
        assert client.get(reverse("orgs:list"), {"q": "村", "page": page}).status_code == 200
    assert world.client_for("auditor").get(reverse("audit:list"), {"page": "99999999999999999999"}).status_code == 200


def test_api_errors_speak_the_callers_language_and_name_no_model(world: World) -> None:
    client = world.api_for("xinshi_staff")
    outside = world.org("shucai")
    assert client.get(f"/api/v1/orgs/{outside.pk}/", HTTP_ACCEPT_LANGUAGE="en").json() == {"detail": "Not found."}
    assert client.get(f"/api/v1/orgs/{outside.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json() == {
        "detail": "未找到相关内容。"
    }
    assert client.get("/api/v1/audit/", HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 403
    assert "角色" in client.get("/api/v1/audit/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["detail"]


def test_a_session_api_call_without_csrf_says_what_to_send(world: World) -> None:
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.user("xinshi_staff"))
    response = client.post(f"/api/v1/orgs/{world.org('huilong').pk}/groups/", {"name": "第九村民小组"})
    assert response.status_code == 403
    assert "X-CSRFToken" in response.json()["detail"]


def test_the_menu_drawn_once_per_process_still_follows_each_users_entries_and_language(world: World) -> None:
    audit_link = f'href="{reverse("audit:list")}"'
    home = reverse("home")
    for _ in range(2):  # the second round is drawn from the fragment cache
        assert audit_link in world.client_for("auditor").get(home).content.decode()
        staff_page = world.client_for("xinshi_staff").get(home).content.decode()
        assert audit_link not in staff_page
        assert f'href="{reverse("households:list")}"' in staff_page
    english = world.client_for("xinshi_staff").get(home, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = world.client_for("xinshi_staff").get(home, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert ">Households</a>" in english
    assert ">户情台账</a>" in chinese
    # The page's own parts stay out of the cached menu: each user's name, and the active entry.
    assert "Xinshi Staff" in staff_page
    households_page = world.client_for("xinshi_staff").get(reverse("households:list")).content.decode()
    active = re.findall(r'class="nav-link active"\s+href="([^"]+)"', households_page)
    assert active == [reverse("households:list")]
