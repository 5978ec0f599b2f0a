"""Demo step: a year of duty records for 新市镇's 执委 (a few silent for months) and a thinner
spread across the city, reviews in every state, and 她代表 requests at every step — one escalated
to 攸县妇联, one overdue. ``huilong_zhiwei`` (周桂姣) has records of her own and requests assigned
to her; ``xinshi_staff`` has a review queue. Runs after the grid's and the campaigns' steps
(``load_demo`` calls ``load``); a second run finds the requests written and changes nothing.
"""

from __future__ import annotations

from typing import TextIO

from fulian.duties import counting
from fulian.duties.demo import records, reports, requests
from fulian.duties.models import Request
from fulian.grid.models import Contact


def load(out: TextIO) -> None:
    # The grid demo's contacts take no time; the records written here do.
    if Request.objects.exists() or Contact.objects.filter(half_hours__gt=0).exists():
        out.write("Duties: already loaded.\n")
        return
    written = records.load(out)
    # The records written in bulk, in the summary of confirmed records by month and mode.
    counting.rebuild()
    made = requests.load(out)
    out.write(f"Duties: {written} duty records, {made} 她代表 requests.\n")
    out.write(reports.load())
