"""The grid listens to the registries it is built on (they do not know it)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from fulian.households.signals import households_changed
from fulian.people.signals import posts_ended


@receiver(households_changed)
def _households_changed(sender: Any, villages: set[int], **kwargs: Any) -> None:
    from fulian.grid import coverage

    coverage.refresh_villages(villages)


@receiver(posts_ended)
def _posts_ended(sender: Any, ended: list[tuple[Any, Any]], **kwargs: Any) -> None:
    from fulian.grid import services

    services.posts_ended(ended)
