from django.http import QueryDict

from fulian.exports import background, services
from fulian.exports.models import ExportJob
from fulian.households.exports import HOUSEHOLDS
from fulian.testing.scope import ScopeCase


def _xinshi_export(world):  # type: ignore[no-untyped-def]
    job = background.job_start(actor=world.user("xinshi_staff"), kind=HOUSEHOLDS, query=QueryDict(""))
    return services.job_run(job.pk)


CASES = [
    # An export is its requester's alone: not even the city's administrator opens it.
    ScopeCase(
        model=ExportJob,
        make=_xinshi_export,
        outsider="city_admin",
        insider="xinshi_staff",
        detail=[("exports:detail", "get"), ("exports:download", "get")],
        lists=[("exports:list", lambda job: {})],
        marker=lambda job: f"/exports/{job.pk}/",
    ),
]
