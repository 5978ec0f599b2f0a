import datetime

import pytest
from django.db import transaction

from fulian.core.ancestry import ancestry_of
from fulian.core.bulk import insert_many
from fulian.people.models import Person, Post, Term
from fulian.testing.ids import id_number
from fulian.testing.world import World

pytestmark = pytest.mark.django_db


def test_insert_many_stores_what_save_would_and_sets_the_ids(world: World) -> None:
    huilong = world.org("huilong")
    people = []
    for n in range(3):
        p = Person(name=f"周{n}", birth_date=datetime.date(1980, 1, n + 1))
        p.set_id_number(id_number(seq=f"{n}0"))
        p.set_mobile(f"1390733000{n}")
        p.place(huilong, ancestry_of(huilong))
        people.append(p)
    term = Term.objects.create(org=huilong, number=1, start_date=datetime.date(2021, 9, 1))
    with transaction.atomic():
        insert_many(Person, people)
        posts = [Post(person=p, term=term, kind="member", start_date=term.start_date) for p in people]
        for post in posts:
            post.place(huilong, ancestry_of(huilong))
        insert_many(Post, posts)
    stored = Person.objects.get(pk=people[1].pk)
    assert stored.mobile == "13907330001"
    assert stored.id_number == people[1].id_number
    assert stored.village_id == huilong.pk
    assert stored.created_at is not None
    assert Post.objects.filter(person__in=people).count() == 3
    later = Person(name="后来")
    later.place(huilong, ancestry_of(huilong))
    later.save()
    assert later.pk > max(p.pk for p in people)
