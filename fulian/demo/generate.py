"""Realistic made-up people and households for the demo and the city-scale benchmark.

Names follow the surname frequencies of Hunan (刘, 李, 陈, 王 …) and the given names women
and men of the generation born 1950–2000 in the countryside commonly have. ID numbers are
built from our own division codes (the person's county), a plausible birth date, a sequence
and the GB 11643 check digit: Faker's generator silently replaces area codes it does not know
(such as 430212), so it is not used. Everything is drawn from one seeded ``random.Random``,
so a run is repeatable.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass

from fulian.core.idnumber import check_digit

# Surname → relative frequency in Hunan (rounded).
SURNAMES = {
    "刘": 9, "李": 8, "陈": 8, "王": 7, "张": 6, "周": 6, "彭": 5, "谭": 5, "罗": 5, "邓": 4,
    "唐": 4, "黄": 4, "曾": 4, "杨": 4, "胡": 3, "贺": 3, "易": 3, "龙": 3, "蒋": 3, "肖": 3,
    "文": 2, "谢": 2, "吴": 2, "钟": 2, "朱": 2, "尹": 2, "廖": 2, "何": 2, "欧阳": 1, "段": 1,
    "颜": 1, "汤": 1, "邹": 1, "袁": 1, "郭": 1, "赵": 1, "许": 1, "石": 1, "丁": 1, "言": 1,
}  # fmt: skip
SURNAME_POOL = [surname for surname, weight in SURNAMES.items() for _ in range(weight)]
FEMALE_CHARS = "秀英华兰芳桂珍玉梅丽红艳平凤娟霞琴云莲敏燕春姣菊萍群美淑桃香莉静慧婷金银翠爱月娥满冬秋杏荷"
MALE_CHARS = "国建明军文华平志伟强勇忠海林德福生成清正光辉永荣庆春阳东新贵全富友双金山"
ETHNICITIES = ["汉族"] * 30 + ["瑶族", "土家族", "苗族", "畲族"]
OCCUPATIONS = ["务农", "个体经营", "村干部", "乡村教师", "乡村医生", "电商", "种植大户", "退休", "家政服务", "合作社"]
SKILLS = ["种植", "养殖", "电商", "调解", "文艺", "家政", "手工", "法律", "护理", "宣讲"]
MOBILE_PREFIXES = ("138", "139", "135", "136", "137", "150", "151", "152", "158", "159", "187", "188", "199", "177")


@dataclass
class FakePerson:
    name: str
    gender: str
    birth_date: datetime.date
    id_number: str
    mobile: str


class Generator:
    """Deterministic made-up identities; ID numbers and mobiles are unique per generator."""

    def __init__(self, seed: int = 2026) -> None:
        self.random = random.Random(seed)  # noqa: S311 - repeatable made-up data, not secrets
        self._ids: set[str] = set()
        self._mobiles: set[str] = set()

    def name(self, gender: str) -> str:
        pick = self.random
        chars = FEMALE_CHARS if gender == "F" else MALE_CHARS
        given = pick.choice(chars) + (pick.choice(chars) if pick.random() < 0.8 else "")
        return pick.choice(SURNAME_POOL) + given

    def birth_date(self, youngest: int = 20, oldest: int = 75, today: datetime.date | None = None) -> datetime.date:
        today = today or datetime.date(2026, 1, 1)
        age_days = self.random.randint(youngest * 365, oldest * 365)
        return today - datetime.timedelta(days=age_days)

    def id_number(self, area: str, birth: datetime.date, gender: str) -> str:
        """A valid 18-character ID number for a county code, unique within this generator."""
        while True:
            seq = self.random.randint(0, 99)
            sex = self.random.choice("13579" if gender == "M" else "02468")
            first17 = f"{area}{birth:%Y%m%d}{seq:02d}{sex}"
            value = first17 + check_digit(first17)
            if value not in self._ids:
                self._ids.add(value)
                return value

    def mobile(self) -> str:
        while True:
            value = self.random.choice(MOBILE_PREFIXES) + f"{self.random.randint(0, 99_999_999):08d}"
            if value not in self._mobiles:
                self._mobiles.add(value)
                return value

    def person(self, area: str, *, gender: str | None = None, youngest: int = 20, oldest: int = 75) -> FakePerson:
        gender = gender or self.random.choice("FM")
        birth = self.birth_date(youngest, oldest)
        return FakePerson(
            name=self.name(gender),
            gender=gender,
            birth_date=birth,
            id_number=self.id_number(area, birth, gender),
            mobile=self.mobile(),
        )

    def people(self, area: str, count: int, **kwargs: object) -> Iterator[FakePerson]:
        for _ in range(count):
            yield self.person(area, **kwargs)  # type: ignore[arg-type]
