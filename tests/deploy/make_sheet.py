"""Write a household sheet of at least SIZE megabytes for the deployment smoke test: a GB18030
.csv of valid rows spread over the villages of one township, as a township sends them.

    python tests/deploy/make_sheet.py OUT.csv TOWNSHIP_CODE SIZE_MB
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from fulian.demo.generate import Generator  # noqa: E402
from fulian.orgs.models import Organisation  # noqa: E402

# Long notes, as many sheets carry: about 270 bytes a row, so 15 MB is some 60,000 rows (the limit is 100,000).
NOTES = (
    "2026年入户走访：家中老人身体尚好，子女在外务工，逢年过节回家；需定期上门看望，关心留守老人和儿童的生活。"
    "村妇联执委每月联系一次，了解家庭困难和需求，及时向镇妇联反映。"
)


def main(out: Path, township_code: str, megabytes: float) -> None:
    township = Organisation.objects.get(code=township_code)
    villages = list(Organisation.objects.filter(level="village", path__startswith=township.path).order_by("path"))
    county = township.path.strip("/").split("/")[1]
    gen = Generator(seed=15)
    limit = int(megabytes * 1024 * 1024)
    lines = ["村（社区）,户主姓名,联系电话,家庭住址,人口数,户类别,备注"]
    size, n = 0, 0
    while size < limit:  # no cell holds a comma or a quote: the rows are joined as they are
        village = villages[n % len(villages)]
        head = gen.person(county, gender="M" if n % 5 else "F", youngest=30, oldest=80)
        category = "脱贫户" if n % 7 == 0 else ""
        address = f"{village.display_name}{n % 12 + 1}组{n % 80 + 1}号"
        lines.append(f"{village.display_name},{head.name},{head.mobile},{address},{n % 6 + 1},{category},{NOTES}")
        size += len(lines[-1].encode("gb18030")) + 2
        n += 1
    out.write_bytes("\r\n".join(lines).encode("gb18030") + b"\r\n")
    print(n)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], float(sys.argv[3]))
