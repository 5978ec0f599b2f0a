"""Scope of the printables: 新市镇's staff never print 炎陵县's certificate or notice."""

from __future__ import annotations

from fulian.campaigns.models import Award, Publicity
from fulian.campaigns.tests.scope_cases import _case, make_award, make_publicity

CASES = [
    _case(Award, make_award, detail=[("campaigns:certificate", "get")]),
    _case(Publicity, make_publicity, detail=[("campaigns:notice", "get")]),
]
