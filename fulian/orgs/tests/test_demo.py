"""The demo step: the Zhuzhou tree and five groups in 回龙村, safe to run again."""

from io import StringIO

from fulian.orgs import demo
from fulian.orgs.choices import Level
from fulian.orgs.models import Organisation
from fulian.testing.world import World


def test_the_demo_loads_zhuzhou_and_fills_huilong_with_five_groups(world: World) -> None:
    out = StringIO()
    demo.load(out)
    assert Organisation.objects.filter(level=Level.VILLAGE).count() == 1400
    names = list(Organisation.objects.filter(parent=world.org("huilong")).values_list("name", flat=True))
    assert names == demo.GROUPS
    assert out.getvalue().startswith("Organisations: 1511 created, 11 unchanged.\n")  # the world had 11


def test_running_the_demo_twice_adds_nothing_the_second_time(world: World) -> None:
    demo.load(StringIO())
    count = Organisation.objects.count()
    out = StringIO()
    demo.load(out)
    assert Organisation.objects.count() == count
    assert out.getvalue().startswith("Organisations: 0 created, 1522 unchanged.\n")
