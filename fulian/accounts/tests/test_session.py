"""Sessions: the 30-minute idle timeout, the "session ended" notice, and logging out."""

from django.conf import settings
from django.urls import reverse

from fulian.accounts.tests.clients import Clock, log_in, web_client
from fulian.accounts.views import SEEN_COOKIE
from fulian.audit.choices import Action
from fulian.audit.models import AuditEvent
from fulian.testing.world import World

NOTICE = "Your session ended after 30 minutes without activity"


def test_sessions_end_after_thirty_idle_minutes_and_use_renews_them_each_minute() -> None:
    assert settings.SESSION_COOKIE_AGE == 1800
    assert settings.SESSION_RENEW_SECONDS == 60
    assert not settings.SESSION_SAVE_EVERY_REQUEST


def test_the_session_cookie_lasts_thirty_minutes_and_the_seen_cookie_the_browser_session(world: World) -> None:
    response = log_in(web_client(), "xinshi_staff")
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 1800
    seen = response.cookies[SEEN_COOKIE]
    assert seen.value == "1"
    assert seen["max-age"] == ""
    assert seen["httponly"]


def test_an_idle_session_ends_and_an_active_one_goes_on(world: World, clock: Clock) -> None:
    client = web_client()
    log_in(client, "xinshi_staff")
    clock.advance(minutes=20)
    assert client.get(reverse("home")).status_code == 200
    clock.advance(minutes=20)  # 40 minutes after login, 20 after the last request
    assert client.get(reverse("home")).status_code == 200
    clock.advance(minutes=31)
    response = client.get(reverse("orgs:list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?next=/orgs/"


def test_the_login_page_says_the_session_ended_when_it_did(world: World, clock: Clock) -> None:
    client = web_client()
    log_in(client, "xinshi_staff")
    clock.advance(minutes=31)
    response = client.get(reverse("orgs:list"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert NOTICE in response.content.decode()


def test_the_session_ended_notice_needs_both_a_next_page_and_the_seen_cookie(world: World) -> None:
    login_url = reverse("accounts:login")
    fresh = web_client()
    assert NOTICE not in fresh.get(login_url + "?next=/orgs/").content.decode()
    fresh.cookies[SEEN_COOKIE] = "1"
    assert NOTICE not in fresh.get(login_url).content.decode()
    assert NOTICE in fresh.get(login_url + "?next=/orgs/").content.decode()


def test_logout_is_post_only(world: World) -> None:
    client = web_client(world, "xinshi_staff")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200


def test_logout_ends_the_session_forgets_the_seen_cookie_and_is_audited(world: World) -> None:
    client = web_client(ip="192.0.2.44")
    log_in(client, "xinshi_staff")
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert response.cookies[SEEN_COOKIE].value == ""
    assert client.get(reverse("home")).status_code == 302
    # Coming back to the login page after logging out is not a "session ended" case.
    assert NOTICE not in client.get(reverse("accounts:login") + "?next=/").content.decode()
    event = AuditEvent.objects.filter(action=Action.LOGOUT).latest("id")
    assert event.actor_name == "xinshi_staff"
    assert event.ip == "192.0.2.44"
    assert event.org_path == world.org("xinshi").path
