"""Demo step: two 最美庭院 rounds of 株洲市, written through ``fulian.campaigns.services``.

- ``past``: the finished 2019 city-wide round (village → township → county → city, the shipped
  courtyard rubric) whose city winners include 钟桃华's household of 炎陵县霞阳镇蔬菜村, the seed
  story: its sheets, rankings, the city list's 公示 (ended) and the awards with their certificate
  numbers, so the certificate and the honour roll of 蔬菜村, 炎陵县 and 株洲市 for 2019 show it.
- ``current``: this year's round under way, its village stage being scored (deadline three
  weeks ahead): nominations in 新市镇 of 攸县 (from the public page with phones, one duplicate
  waiting to be merged, one rejected with its reason, the rest accepted), 回龙村's households
  assigned to its 执委, ``huilong_zhiwei`` (周桂姣) among them, some sheets scored with
  photos and some missing.

A few households per level so ``make demo`` stays quick; a second run finds each round and
changes nothing.
"""

from __future__ import annotations

from typing import TextIO

from fulian.campaigns.demo import current, past


def load(out: TextIO) -> None:
    out.write(past.load())
    out.write(current.load())
