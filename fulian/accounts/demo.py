"""Demo step: the demo accounts of issue 2, one password for all (printed by load_demo)."""

from typing import TextIO

from fulian.accounts.choices import Role
from fulian.accounts.models import RoleGrant, User
from fulian.demo import DEMO_PASSWORD
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
    out.write(f"Demo accounts: {created} created, {len(DEMO_ACCOUNTS) - created} reset to their demo state.\n")
    for username, _name, role, code, mobile in DEMO_ACCOUNTS:
        out.write(f"  {username:<15} {role.label:<10} {code:<13} mobile {mobile}\n")


def _reset(user: User) -> None:
    """Bring a demo account back to what the README promises: active, unlocked, the demo
    password (someone trying the demo may have locked, deactivated or changed it)."""
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
