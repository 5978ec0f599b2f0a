"""Demo step: 攸县's 攸悠我行 practice — 执委 duty and volunteer service earn 新时代文明实践积分,
redeemed for goods and 礼遇褒奖 at 新市镇妇联积分超市.

- 攸县妇联's scheme “攸悠我行·新时代文明实践积分”, version 1 adopted (``scheme``);
- the city's scheme for family honours (from 2019): the demo's 2019 awards earn their households;
- the balances posted from the demo's confirmed duty records and standing awards by the rules
  (``earning.backlog``, batched), after 周桂姣's household was made known to the registry so her
  volunteer hours earn it too; awards and a deduction by 新市镇's staff, one above the threshold
  confirmed by 攸县's administrator and one waiting for her, one reversal (``postings``);
- the store with its goods, honours and services, and orders waiting for pickup, handed over and
  cancelled, 周桂姣's (``huilong_zhiwei``) among them (``shop``);
- this year's honours (文明实践之星, 积分达人).

Everything through ``fulian.points.services``; no balance is written here. Runs after the duties'
and the campaigns' steps (``load_demo`` takes the apps in order); a second run finds the scheme
and changes nothing.
"""

from __future__ import annotations

from typing import TextIO

from django.db.models import Min

from fulian.accounts.models import User
from fulian.grid import coverage
from fulian.grid.choices import RecordStatus
from fulian.grid.models import Contact
from fulian.orgs.models import Organisation
from fulian.people.models import Person
from fulian.points.demo import postings, scheme, shop
from fulian.points.models import Scheme
from fulian.points.services import earning
from fulian.points.services.honours import honours_grant

YOUXIAN, XINSHI = "430223", "430223123"
HER, STAFF, COUNTY, CITY_ADMIN = "huilong_zhiwei", "xinshi_staff", "youxian_admin", "city_admin"
# The whole year in one batch: each account is locked and posted to once (the records fit in memory).
BATCH = 50_000


def load(out: TextIO) -> None:
    if Scheme.objects.filter(org__code=YOUXIAN).exists():
        out.write("Points: already loaded.\n")
        return
    county = Organisation.objects.filter(code=YOUXIAN).first()
    township = Organisation.objects.filter(code=XINSHI).first()
    users = {u.username: u for u in User.objects.filter(username__in=(HER, STAFF, COUNTY, CITY_ADMIN))}
    her = Person.objects.filter(account__username=HER).select_related("org").first()
    first_record = Contact.objects.filter(status=RecordStatus.CONFIRMED).aggregate(first=Min("happened_on"))["first"]
    if county is None or township is None or her is None or len(users) < 4 or first_record is None:
        out.write("Points: no 攸县, 新市镇, demo accounts or confirmed records; no points.\n")
        return
    today = coverage.today()
    made = scheme.load(county=county, admin=users[COUNTY], first_record=first_record)
    if county.parent is not None:
        scheme.load_city(city=county.parent, admin=users[CITY_ADMIN])
    household = postings.her_household_known(her=her, staff=users[STAFF])
    posted = earning.backlog(batch=BATCH)
    by_hand = postings.by_hand(her=her, township=township, staff=users[STAFF], county=users[COUNTY], today=today)
    holders = postings.ranked(township, exclude=her.pk)
    orders = shop.load(
        township=township, staff=users[STAFF], her=her, her_user=users[HER], holders=holders, today=today
    )
    honours = honours_grant(year=today.year, scheme=made)
    out.write(
        f"Points: {made.name} (version 1, in force from {made.versions.get().valid_from}); "
        f"{posted} entries posted from confirmed records and awards, {by_hand} by hand; "
        f"{len(orders)} orders at {shop.NAME} ({shop.waiting(orders)} waiting for pickup); "
        f"{honours} honours for {today.year}"
        f"{'' if household is None else '; 周桂姣 is listed in her household, which shares her volunteer points'}.\n"
    )
