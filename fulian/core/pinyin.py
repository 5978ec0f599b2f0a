"""Pinyin keys for searching Chinese names: ``钟桃华`` → ``zhongtaohua`` and ``zth``.

Polyphonic characters (重, 长, 行 …) get every reading pypinyin knows, so ``zth`` and
``cth`` both find 重桃华; the variants are capped so a long name cannot explode.
"""

from itertools import islice, product

from pypinyin import Style, pinyin

MAX_VARIANTS = 8


def pinyin_keys(text: str) -> tuple[str, str]:
    """Space-separated full-pinyin variants and initials variants of ``text``, lower case."""
    syllables = pinyin(text, style=Style.NORMAL, heteronym=True, errors=lambda s: list(s.lower()))  # type: ignore[arg-type,return-value]
    readings = [[r.lower() for r in dict.fromkeys(options)] for options in syllables]
    fulls = {"".join(combo) for combo in islice(product(*readings), MAX_VARIANTS)}
    initials = {"".join(r[0] for r in combo if r) for combo in islice(product(*readings), MAX_VARIANTS)}
    primary = "".join(r[0] for r in readings)
    ordered_full = [primary, *sorted(fulls - {primary})]
    primary_initials = "".join(r[0][0] for r in readings if r[0])
    ordered_initials = [primary_initials, *sorted(initials - {primary_initials})]
    return " ".join(ordered_full), " ".join(ordered_initials)


def search_keys(name: str) -> str:
    """The pinyin search column of a person's or household head's name: every full-pinyin and
    initials variant, each after a space, so that ``LIKE '% zth%'`` finds a variant from its
    start (and a trigram index on PostgreSQL serves that pattern)."""
    full, initials = pinyin_keys(name)
    return " " + " ".join(dict.fromkeys([*full.split(), *initials.split()]))
