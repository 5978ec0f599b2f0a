"""``manage.py load_demo``: the Zhuzhou tree, the demo accounts, the password on its own line."""

from io import StringIO

from django.core.management import call_command

from fulian.accounts.models import TwoFactor, User
from fulian.accounts.testing import enrol
from fulian.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from fulian.testing.world import World

OFFICERS = {"security", "auditor", "city_admin"}


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
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        assert not user.must_change_password
        device = TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).first()
        assert (device.secret if device else None) == (DEMO_TOTP_SECRET if username in OFFICERS else None)
    # What a tester needs to log in as an officer: the secret, and how to get a code from it.
    assert f"Demo authenticator secret: {DEMO_TOTP_SECRET}" in lines
    code_command = f"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_SECRET}').now())"
    assert f'  current code: .venv/bin/python -c "{code_command}"' in lines
    assert any(line.startswith("Two-factor login for city_admin, security, auditor:") for line in lines)
    _the_roster_and_households_are_realistic()


def _the_roster_and_households_are_realistic() -> None:
    """Loaded once with the test above: the full demo takes most of a minute."""
    from django.db.models import Count

    from fulian.core.idnumber import parse_id_number
    from fulian.households.models import Household
    from fulian.orgs.choices import Level
    from fulian.orgs.models import Organisation
    from fulian.people.choices import PostKind
    from fulian.people.models import Person, Post

    seeds = {
        "钟桃华": ("430225100215", PostKind.CHAIR),
        "周桂姣": ("430223123215", PostKind.CHAIR),
        "朱社文": ("430223002006", PostKind.VICE_CHAIR),
    }
    for name, (code, kind) in seeds.items():
        assert Post.objects.filter(person__name=name, org__code=code, kind=kind, end_date__isnull=True).exists(), name
    assert Person.objects.get(name="周桂姣", org__code="430223123215").account == User.objects.get(
        username="huilong_zhiwei"
    )
    sizes = dict(
        Post.objects.filter(end_date__isnull=True)
        .values_list("org__level")
        .annotate(n=Count("id"))
        .values_list("org__level", "n")
    )
    villages = Organisation.objects.filter(level=Level.VILLAGE).count()
    assert 13 * villages <= sizes[Level.VILLAGE] <= 18 * villages
    per_township = Post.objects.filter(org__level=Level.TOWNSHIP).values("org").annotate(n=Count("id"))
    assert min(row["n"] for row in per_township) >= 25
    assert Household.objects.values("village").distinct().count() == villages
    for household in Household.objects.select_related("org")[:200]:
        parsed = parse_id_number(household.id_number)
        assert parsed.area == household.org.path.split("/")[2]


def test_running_the_demo_again_brings_tried_accounts_back(world: World) -> None:
    call_command("load_demo", stdout=StringIO())
    User.objects.filter(username="city_admin").update(is_active=False, failed_logins=3)
    leader = User.objects.get(username="leader")
    leader.set_password("Changed-By-A-Visitor-1")
    leader.must_change_password = True
    leader.save()
    enrol(User.objects.get(username="xinshi_staff"), "JBSWY3DPEHPK3PXP")  # a visitor turned it on
    TwoFactor.objects.filter(user__username="security").delete()  # another reset it
    call_command("load_demo", stdout=StringIO())
    city_admin = User.objects.get(username="city_admin")
    assert city_admin.is_active
    assert city_admin.failed_logins == 0
    assert User.objects.get(username="leader").check_password(DEMO_PASSWORD)
    assert not User.objects.get(username="leader").must_change_password
    assert not TwoFactor.objects.filter(user__username="xinshi_staff").exists()
    assert TwoFactor.objects.get(user__username="security").secret == DEMO_TOTP_SECRET
