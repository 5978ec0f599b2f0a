"""Parallel wrong guesses cannot get more than the allowed attempts past the account lock."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from fulian.accounts.models import LoginFailure, User
from fulian.testing.world import PASSWORD, World


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)")
def test_parallel_wrong_guesses_are_held_to_the_allowance(live_world: World) -> None:
    def guess(n: int) -> int:
        try:
            response = Client(REMOTE_ADDR=f"10.1.0.{n}").post(
                "/api/v1/auth/token/", {"username": "leader", "password": "wrong" if n else PASSWORD, "name": "脚本"}
            )
            return response.status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=12) as pool:
        codes = list(pool.map(guess, range(1, 16)))
    checked = LoginFailure.objects.filter(user__username="leader", reason=LoginFailure.REASON_PASSWORD).count()
    assert checked <= settings.FULIAN_LOCKOUT_ACCOUNT_FAILURES
    assert codes.count(429) >= 15 - settings.FULIAN_LOCKOUT_ACCOUNT_FAILURES
    leader = User.objects.get(username="leader")
    assert leader.is_locked
    # The right password now is refused too: the lock holds.
    assert guess(0) == 429
