"""The request pages in the scope tests: every URL taking a request's id (its page, each step
posted to its own URL) and its photos answer 404 to 新市镇's staff for a request of 炎陵县, and
the list leaves it out for them. The insider's statuses are those of an empty POST."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from fulian.duties.models import Request, RequestPhoto
from fulian.duties.tests import helpers as h
from fulian.duties.tests.scope_cases import INSIDER, OUTSIDER, make_person, make_request
from fulian.people.tests.helpers import jpeg
from fulian.testing.scope import ScopeCase


def make_photo(world: Any) -> RequestPhoto:
    made = h.request(world, make_person(world), photos=[SimpleUploadedFile("p.jpg", jpeg())])
    return made.photos.get()


CASES = [
    ScopeCase(
        model=Request,
        make=make_request,
        outsider=OUTSIDER,
        insider=INSIDER,
        detail=[
            ("duties:request_detail", "get"),
            ("duties:request_accept", "post", 302),  # nothing to say: accepted
            ("duties:request_assign", "post", 400),  # nobody chosen
            ("duties:request_escalate", "post", 400),  # no reason
            ("duties:request_update", "post", 400),  # no note
            ("duties:request_answer", "post", 400),  # no answer
            ("duties:request_rate", "post", 400),  # no satisfaction
            ("duties:request_close", "post", 400),  # no note
        ],
        lists=[
            ("duties:request_list", lambda r: {}),
            ("duties:request_list", lambda r: {"category": r.category}),
            ("duties:request_list", lambda r: {"status": "open"}),
        ],
    ),
    ScopeCase(
        model=RequestPhoto,
        make=make_photo,
        outsider=OUTSIDER,
        insider=INSIDER,
        detail=[("duties:request_photo", "get")],
    ),
]
