"""``manage.py load_demo``: the Zhuzhou tree, the demo accounts, the password on its own line."""

from io import StringIO

from django.core.management import call_command

from fulian.accounts.models import User
from fulian.core.testing.world import World
from fulian.demo import DEMO_PASSWORD


def test_the_demo_prints_its_accounts_and_the_password_on_a_line_of_its_own(world: World) -> None:
    out = StringIO()
    call_command("load_demo", stdout=out)
    lines = out.getvalue().splitlines()
    assert f"Demo password: {DEMO_PASSWORD}" in lines
    for username in (
        "city_admin",
        "youxian_admin",
        "yanling_admin",
        "xinshi_staff",
        "huilong_zhiwei",
        "leader",
        "security",
        "auditor",
    ):
        assert any(line.split()[:1] == [username] for line in lines), username
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)


def test_running_the_demo_again_brings_tried_accounts_back(world: World) -> None:
    call_command("load_demo", stdout=StringIO())
    User.objects.filter(username="city_admin").update(is_active=False, failed_logins=3)
    leader = User.objects.get(username="leader")
    leader.set_password("Changed-By-A-Visitor-1")
    leader.save()
    call_command("load_demo", stdout=StringIO())
    city_admin = User.objects.get(username="city_admin")
    assert city_admin.is_active
    assert city_admin.failed_logins == 0
    assert User.objects.get(username="leader").check_password(DEMO_PASSWORD)
