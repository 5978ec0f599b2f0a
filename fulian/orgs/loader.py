"""Reading division codes (统计用区划代码) from CSV files, checking every row first.

Two shapes are understood:

* the flat extract shipped with the project (``village_code, village_name, street_code,
  street_name, county_code, county_name``), one row per village;
* the china-division package's ``dist/`` folder: ``cities.csv``, ``areas.csv``,
  ``streets.csv``, ``villages.csv`` (and ``provinces.csv``), whose column orders differ
  between files; columns are found by header name, never by position.

Both produce :class:`Division` records; nothing is written here (see services.py).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from fulian.orgs.choices import LEVEL_BY_CODE_LENGTH, Level
from fulian.orgs.models import NAME_MAX_LENGTH

SHIPPED_FILE = Path(__file__).parent / "data" / "zhuzhou_villages_2023.csv"
SHIPPED_CITY = ("430200", "株洲市")
# ASCII digits only: ``\d`` would also let Arabic-Indic or full-width digits into the codes.
CODE_RE = re.compile(r"[0-9]+")
# Official codes are written 12 digits long, padded with zeros: 430223000000 is 攸县.


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    parent_code: str | None
    level: Level


@dataclass
class LoadProblem:
    file: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.row:  # a problem of the whole file or of an argument
            return f"{self.file}: {self.message}"
        return _("%(file)s row %(row)d, column %(column)s: %(message)s") % {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class Reading:
    divisions: dict[str, Division] = field(default_factory=dict)
    problems: list[LoadProblem] = field(default_factory=list)


class LoadError(Exception):
    def __init__(self, problems: list[LoadProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def canonical_code(raw: str) -> str:
    """The code as the platform writes it: 6 digits for provinces (430000), cities (430200)
    and counties (430223), 9 for townships, 12 for villages. Accepts china-division's short
    forms (43, 4302) and the 12-digit padded official form (430223000000).
    Full-width digits typed in Excel (４３０２２３) are read as digits.
    Raises ValueError with a message naming the code if it is malformed."""
    code = unicodedata.normalize("NFKC", raw).strip()
    if not CODE_RE.fullmatch(code):
        raise ValueError(_("“%(code)s” is not a division code: only digits are allowed.") % {"code": raw})
    if len(code) == 12 and code.endswith("000"):
        code = code[:9]
    if len(code) == 9 and code.endswith("000"):
        code = code[:6]
    if len(code) in (2, 4):
        code = code.ljust(6, "0")
    if len(code) not in (6, 9, 12) or code.startswith("00"):
        raise ValueError(
            _("“%(code)s” is not a division code: expected 6 (county), 9 (township) or 12 (village) digits.")
            % {"code": raw}
        )
    return code


def level_of(code: str) -> Level:
    """The level of a division code in any form :func:`canonical_code` accepts (430223000000
    is a county), or of a village group's 15-digit code. Raises ValueError naming a malformed
    code."""
    if len(code) == 15 and CODE_RE.fullmatch(code):
        return Level.GROUP
    code = canonical_code(code)
    if len(code) == 6:
        if code.endswith("0000"):
            return Level.PROVINCE
        return Level.CITY if code.endswith("00") else Level.COUNTY
    return LEVEL_BY_CODE_LENGTH[len(code)]


def significant(code: str) -> str:
    """The digits a child's code starts with: 43 for 430000, 4302 for 430200."""
    level = level_of(code)
    return code[:2] if level == Level.PROVINCE else code[:4] if level == Level.CITY else code


def read_text(path: Path) -> str:
    """A CSV's text: UTF-8 (with or without BOM) or GB18030, as Excel in China writes it."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError(_("%(file)s is neither UTF-8 nor GB18030 text.") % {"file": path.name})


def _rows(path: Path, required: Iterable[str], reading: Reading) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        text = read_text(path)
    except (OSError, ValueError) as e:
        reading.problems.append(LoadProblem(path.name, 0, "-", str(e)))
        return
    lines = [
        (n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip() and not line.startswith("#")
    ]
    if not lines:
        reading.problems.append(LoadProblem(path.name, 0, "-", _("The file is empty.")))
        return
    header_row = lines[0][0]
    reader = csv.reader(io.StringIO("\n".join(line for _n, line in lines)))
    header = [h.strip() for h in next(reader)]
    missing = [c for c in required if c not in header]
    if missing:
        reading.problems.append(
            LoadProblem(
                path.name,
                header_row,
                ", ".join(missing),
                _("missing column(s); the header has: %(header)s") % {"header": ", ".join(header)},
            )
        )
        return
    data_rows = 0
    for (number, _line), values in zip(lines[1:], reader, strict=False):
        if not any(v.strip() for v in values):
            continue  # Excel leaves rows of empty cells below the data
        data_rows += 1
        row = dict(zip(header, (v.strip() for v in values), strict=False))
        absent = [c for c in required if c not in row]
        if absent:
            reading.problems.append(
                LoadProblem(
                    path.name,
                    number,
                    absent[0],
                    _("the row has %(n)d values, the header %(m)d columns.") % {"n": len(values), "m": len(header)},
                )
            )
            continue
        yield number, row
    if not data_rows:
        reading.problems.append(LoadProblem(path.name, 0, "-", _("The file has a header but no rows of data.")))


def _add(
    reading: Reading, file: str, row: int, column: str, raw_code: str, name: str, parent: str | None, level: Level
) -> str | None:
    """Check one division read from ``column`` (which holds codes of ``level``) and keep it;
    on a problem, record it and return None."""
    try:
        code = canonical_code(raw_code)
    except ValueError as e:
        reading.problems.append(LoadProblem(file, row, column, str(e)))
        return None
    if level_of(code) != level:
        # A township code in the county column would otherwise become a "county".
        reading.problems.append(
            LoadProblem(
                file,
                row,
                column,
                _("%(code)s is the code of a %(found)s; this column holds codes of a %(expected)s.")
                % {"code": code, "found": str(level_of(code).label).lower(), "expected": str(level.label).lower()},
            )
        )
        return None
    if not name:
        reading.problems.append(LoadProblem(file, row, column, _("the name of %(code)s is empty.") % {"code": code}))
        return None
    if len(name) > NAME_MAX_LENGTH:
        reading.problems.append(
            LoadProblem(
                file,
                row,
                column,
                _("the name of %(code)s is longer than %(max)d characters.") % {"code": code, "max": NAME_MAX_LENGTH},
            )
        )
        return None
    if parent is not None and (code == parent or not code.startswith(significant(parent))):
        reading.problems.append(
            LoadProblem(
                file, row, column, _("%(code)s does not lie under %(parent)s.") % {"code": code, "parent": parent}
            )
        )
        return None
    division = Division(code=code, name=name, parent_code=parent, level=level_of(code))
    known = reading.divisions.get(code)
    if known is not None and (known.name, known.parent_code) != (name, parent):
        reading.problems.append(
            LoadProblem(
                file,
                row,
                column,
                _("%(code)s appears twice with different names (%(a)s, %(b)s).")
                % {"code": code, "a": known.name, "b": name},
            )
        )
        return None
    reading.divisions[code] = division
    return code


def read_flat(path: Path, city: tuple[str, str] = SHIPPED_CITY) -> Reading:
    """Read the flat one-row-per-village extract; ``city`` is its (code, name)."""
    reading = Reading()
    city_code, city_name = city
    reading.divisions[city_code] = Division(city_code, city_name, None, Level.CITY)
    cols = ("village_code", "village_name", "street_code", "street_name", "county_code", "county_name")
    for number, row in _rows(path, cols, reading):
        county = _add(
            reading, path.name, number, "county_code", row["county_code"], row["county_name"], city_code, Level.COUNTY
        )
        street = county and _add(
            reading, path.name, number, "street_code", row["street_code"], row["street_name"], county, Level.TOWNSHIP
        )
        if street:
            _add(
                reading,
                path.name,
                number,
                "village_code",
                row["village_code"],
                row["village_name"],
                street,
                Level.VILLAGE,
            )
    return reading


def read_china_division(folder: Path, root_code: str) -> Reading:
    """Read a china-division ``dist/`` folder, keeping the subtree of ``root_code`` (a city
    such as 430200, or a county such as 430223 with its city above it). Cities are roots."""
    reading = Reading()
    try:
        root = canonical_code(root_code)
    except ValueError as e:
        reading.problems.append(LoadProblem("--code", 0, "code", str(e)))
        return reading
    if level_of(root) not in (Level.CITY, Level.COUNTY):
        reading.problems.append(
            LoadProblem("--code", 0, "code", _("give a city code (such as 430200) or a county code (such as 430223)."))
        )
        return reading
    prefix = significant(root)
    files = [
        ("cities.csv", "code", "name", None, Level.CITY),
        ("areas.csv", "code", "name", "cityCode", Level.COUNTY),
        ("streets.csv", "code", "name", "areaCode", Level.TOWNSHIP),
        ("villages.csv", "code", "name", "streetCode", Level.VILLAGE),
    ]
    for filename, code_col, name_col, parent_col, level in files:
        path = folder / filename
        if not path.exists():
            reading.problems.append(LoadProblem(filename, 0, "-", _("file not found in %(dir)s") % {"dir": folder}))
            continue
        required = [code_col, name_col] + ([parent_col] if parent_col else [])
        for number, row in _rows(path, required, reading):
            raw = row[code_col]
            try:
                code = canonical_code(raw)
            except ValueError as e:
                reading.problems.append(LoadProblem(filename, number, code_col, str(e)))
                continue
            # Keep the root's subtree and the chain above it; skip the rest of the country.
            if not (code.startswith(prefix) or (code != root and root.startswith(significant(code)))):
                continue
            parent: str | None = None
            if parent_col:
                # Only cities are roots: a county without its city would become one.
                try:
                    parent = canonical_code(row[parent_col])
                except ValueError as e:
                    reading.problems.append(LoadProblem(filename, number, parent_col, str(e)))
                    continue
            _add(reading, filename, number, code_col, raw, row[name_col], parent, level)
    if root not in reading.divisions:
        reading.problems.append(
            LoadProblem("--code", 0, "code", _("code %(code)s was not found in the files.") % {"code": root_code})
        )
    return reading
