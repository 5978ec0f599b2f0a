"""Background work of the campaigns (django-tasks): reminding overdue raters."""

from __future__ import annotations

from django_tasks import task

from fulian.campaigns import reminding


@task()
def remind_overdue(run_id: int) -> None:
    reminding.reminders_send(run_id)
