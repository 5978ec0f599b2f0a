"""factory_boy factories for rows a test adds to the named world (extra accounts, grants).
The world itself is built once per session by ``world.build_world``; village groups are
added with ``orgs.services.group_create_as_system``, as the pages do."""

import itertools
from typing import Any

import factory
from factory.django import DjangoModelFactory

from fulian.accounts.choices import Role
from fulian.accounts.models import RoleGrant, User
from fulian.orgs.models import Organisation
from fulian.testing.world import PASSWORD

_mobile_numbers = itertools.count(1)


class UserFactory(DjangoModelFactory[User]):
    """An account of ``org`` with the world's password and a unique mobile number."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n:04d}")
    full_name = factory.Sequence(lambda n: f"测试人员{n}")
    org = factory.LazyFunction(lambda: Organisation.objects.get(code="430223123215"))

    @factory.post_generation
    def mobile(obj: User, create: bool, extracted: str | None, **kwargs: Any) -> None:
        obj.set_mobile(extracted or f"150{next(_mobile_numbers):08d}")

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: Any) -> None:
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save()


class RoleGrantFactory(DjangoModelFactory[RoleGrant]):
    """A role held at the account's own organisation unless ``org`` is given."""

    class Meta:
        model = RoleGrant

    user = factory.SubFactory(UserFactory)
    org = factory.LazyAttribute(lambda grant: grant.user.org)
    role = Role.MEMBER
