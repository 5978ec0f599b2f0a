"""The duties demo: a year of duty records for 新市镇's 执委 and a thinner spread across the
city, reviews in every state, and 她代表 requests at every step (``load_demo`` calls ``load``)."""

from __future__ import annotations

from typing import Any


def load(out: Any) -> None:
    """Filled in by the demo's own module (``fulian.duties.demo.plan``)."""
