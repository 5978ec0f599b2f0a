"""Expire the store orders not picked up by their day (run daily: deploy/systemd/
fulian-points.timer): each one's points return to the account and its stock to the shelf."""

from typing import Any

from django.core.management.base import BaseCommand

from fulian.points.services.store import orders_expire


class Command(BaseCommand):
    help = "Expire the points store's orders not picked up in time: points and stock return. Run daily."

    def handle(self, *args: Any, **options: Any) -> None:
        expired = orders_expire()
        self.stdout.write(f"Expired {expired} orders; their points and stock are back.")
