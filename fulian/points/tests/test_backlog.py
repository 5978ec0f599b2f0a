"""The backlog: confirmed records whose points were never posted are posted once, and only they."""

from __future__ import annotations

import pytest

from fulian.duties.services.review import record_confirm
from fulian.duties.tests import helpers as h
from fulian.points.models import Account, Entry
from fulian.points.services import earning
from fulian.points.services.reconcile import reconcile
from fulian.points.tests.helpers import scheme
from fulian.testing.world import World

pytestmark = pytest.mark.django_db(transaction=False)


def test_the_backlog_posts_only_the_records_never_posted_and_then_nothing(world: World) -> None:
    scheme(world)
    herself = h.zhiwei(world, account=world.user("huilong_zhiwei"))
    posted = h.record(world, herself, actor=world.user("xinshi_staff"))
    waiting = h.record(world, herself, actor=world.user("xinshi_staff"), on=posted.happened_on)
    # Confirmed without the on-commit receiver running (the callbacks are not executed here):
    # neither record has its points yet; the first is posted by hand.
    record_confirm(actor=world.user("youxian_admin"), record=posted)
    record_confirm(actor=world.user("youxian_admin"), record=waiting)
    assert len(earning.contact_post(posted)) == 1

    assert earning.backlog() == 1
    assert earning.backlog() == 0
    assert set(Entry.objects.values_list("contact_id", flat=True)) == {posted.pk, waiting.pk}
    assert Account.objects.get(person=herself).balance == 4
    assert reconcile().ok
