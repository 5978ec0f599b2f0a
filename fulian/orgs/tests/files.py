"""Small division files written into a test's ``tmp_path``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

FLAT_HEADER = ("village_code", "village_name", "street_code", "street_name", "county_code", "county_name")

# Rows of the shipped file for the world's part of 攸县 and 炎陵县, in its column order.
FLAT_ROWS: list[tuple[str, ...]] = [
    ("430223123215", "回龙村", "430223123", "新市镇", "430223", "攸县"),
    ("430223123202", "大桥头村", "430223123", "新市镇", "430223", "攸县"),
    ("430223002006", "龙湖社区", "430223002", "江桥街道", "430223", "攸县"),
    ("430225100215", "蔬菜村委会", "430225100", "霞阳镇", "430225", "炎陵县"),
    ("430225100001", "东区社区居委会", "430225100", "霞阳镇", "430225", "炎陵县"),
]


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    return "\n".join(",".join(line) for line in [header, *rows]) + "\n"


def write_flat(
    path: Path,
    rows: Iterable[Sequence[str]] = FLAT_ROWS,
    *,
    header: Sequence[str] = FLAT_HEADER,
    encoding: str = "utf-8",
    preamble: str = "",
) -> Path:
    """A flat extract in the shipped format (``preamble``: comment lines above the header)."""
    path.write_bytes((preamble + csv_text(header, rows)).encode(encoding))
    return path


# china-division's dist/ files: each file has its own column order, city codes have 4 digits.
CITIES = ("code,name,provinceCode", ["4301,长沙市,43", "4302,株洲市,43"])
AREAS = (
    "code,name,cityCode,provinceCode",
    ["430102,芙蓉区,4301,43", "430223,攸县,4302,43", "430225,炎陵县,4302,43"],
)
STREETS = (
    "code,name,areaCode,provinceCode,cityCode",
    [
        "430102001,文艺路街道,430102,43,4301",
        "430223123,新市镇,430223,43,4302",
        "430223002,江桥街道,430223,43,4302",
        "430225100,霞阳镇,430225,43,4302",
    ],
)
VILLAGES = (
    "code,name,streetCode,provinceCode,cityCode,areaCode",
    [
        "430102001001,五一村社区居委会,430102001,43,4301,430102",
        "430223123215,回龙村,430223123,43,4302,430223",
        "430223123202,大桥头村,430223123,43,4302,430223",
        "430223002006,龙湖社区,430223002,43,4302,430223",
        "430225100215,蔬菜村委会,430225100,43,4302,430225",
    ],
)


def write_china_division(folder: Path, **replace: tuple[str, list[str]]) -> Path:
    """A small ``dist/`` folder; ``replace`` swaps one file's (header, rows), such as
    ``villages=(header, rows)``."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {"cities": CITIES, "areas": AREAS, "streets": STREETS, "villages": VILLAGES, **replace}
    for name, (header, rows) in files.items():
        (folder / f"{name}.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return folder
