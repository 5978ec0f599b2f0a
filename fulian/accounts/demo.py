"""Demo step: the demo accounts of issue 2, one password for all (printed by load_demo), and
for the officers who log in with a second factor, one authenticator secret (printed too)."""

from typing import TextIO

from django.utils import timezone

from fulian.accounts.choices import Role
from fulian.accounts.gate import needs_two_factor
from fulian.accounts.models import RecoveryCode, RoleGrant, TwoFactor, User
from fulian.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from fulian.orgs.models import Organisation

# username, full name, role, organisation code, mobile
DEMO_ACCOUNTS = [
    ("city_admin", "株洲市妇联管理员", Role.ADMIN, "430200", "13807330001"),
    ("youxian_admin", "攸县妇联管理员", Role.ADMIN, "430223", "13807330002"),
    ("yanling_admin", "炎陵县妇联管理员", Role.ADMIN, "430225", "13807330003"),
    ("xinshi_staff", "新市镇妇联干部", Role.STAFF, "430223123", "13807330004"),
    ("huilong_zhiwei", "周桂姣", Role.MEMBER, "430223123215", "13807330005"),
    ("leader", "株洲市妇联领导", Role.VIEWER, "430200", "13807330006"),
    ("security", "安全管理员", Role.SECURITY, "430200", "13807330007"),
    ("auditor", "审计管理员", Role.AUDITOR, "430200", "13807330008"),
]


def load(out: TextIO) -> None:
    created = 0
    officers = []
    for username, full_name, role, code, mobile in DEMO_ACCOUNTS:
        org = Organisation.objects.get(code=code)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=full_name, org=org)
            user.set_mobile(mobile)
            user.set_password(DEMO_PASSWORD)
            user.save()
            created += 1
        else:
            _reset(user)
        RoleGrant.objects.get_or_create(user=user, org=org, role=role)
        if _demo_second_factor(user):
            officers.append(username)
    out.write(f"Demo accounts: {created} created, {len(DEMO_ACCOUNTS) - created} reset to their demo state.\n")
    for username, _name, role, code, mobile in DEMO_ACCOUNTS:
        out.write(f"  {username:<15} {role.label:<10} {code:<13} mobile {mobile}\n")
    out.write(
        f"Two-factor login for {', '.join(officers)}: after the password, a code from the demo authenticator "
        "secret printed below (add it to an authenticator app, or run the command printed with it).\n"
    )


def _demo_second_factor(user: User) -> bool:
    """The demo's officers log in with a second factor from the one documented secret (a
    tester adds it to an app, or computes the code; a code already used stays used); the
    others with their password alone, even if a tester turned a second factor on. Whether
    ``user`` has one."""
    if not needs_two_factor(user):
        TwoFactor.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        return False
    device = TwoFactor.objects.filter(user=user).first()
    if device is None or device.secret != DEMO_TOTP_SECRET or device.confirmed_at is None:
        TwoFactor.objects.filter(user=user).delete()
        TwoFactor.objects.create(user=user, secret=DEMO_TOTP_SECRET, confirmed_at=timezone.now())
    return True


def _reset(user: User) -> None:
    """Bring a demo account back to what the README promises: active, unlocked, the demo
    password and the demo authenticator (someone trying the demo may have locked, deactivated
    or changed them). Demo accounts are never asked for a new password: testers log in with
    the printed one."""
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None, must_change_password=False)
