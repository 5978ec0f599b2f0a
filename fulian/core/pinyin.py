"""Pinyin keys for searching Chinese names: ``钟桃华`` → ``zhongtaohua`` and ``zth``.

Polyphonic characters (重, 长, 行 …) get every reading pypinyin knows, so ``zth`` and
``cth`` both find 重桃华; the variants are capped so a long name cannot explode.
"""

from functools import lru_cache
from itertools import islice, product

from pypinyin import Style, pinyin

MAX_VARIANTS = 8


def _pinyin(text: str) -> list[list[str]]:
    syllables = pinyin(text, style=Style.NORMAL, heteronym=True, errors=lambda s: list(s.lower()))  # type: ignore[arg-type,return-value]
    return [[r.lower() for r in dict.fromkeys(options)] for options in syllables]


@lru_cache(maxsize=20_000)
def _char_readings(char: str) -> tuple[str, ...]:
    return tuple(_pinyin(char)[0]) if char.strip() else ()


def pinyin_keys(text: str, *, per_char: bool = False) -> tuple[str, str]:
    """Space-separated full-pinyin variants and initials variants of ``text``, lower case.

    ``per_char`` reads each character on its own, from a cache: for people's names, where
    phrase context does not apply and an import of a county reads a million of them (about
    100 times faster than pypinyin on the whole name)."""
    readings = [list(r) for r in map(_char_readings, text) if r] if per_char else _pinyin(text)
    if not readings:
        return "", ""
    if all(len(r) == 1 for r in readings):  # most names: one reading per character
        return "".join(r[0] for r in readings), "".join(r[0][0] for r in readings if r[0])
    fulls = {"".join(combo) for combo in islice(product(*readings), MAX_VARIANTS)}
    initials = {"".join(r[0] for r in combo if r) for combo in islice(product(*readings), MAX_VARIANTS)}
    primary = "".join(r[0] for r in readings)
    ordered_full = [primary, *sorted(fulls - {primary})]
    primary_initials = "".join(r[0][0] for r in readings if r[0])
    ordered_initials = [primary_initials, *sorted(initials - {primary_initials})]
    return " ".join(ordered_full), " ".join(ordered_initials)


def fit_keys(keys: str, max_length: int) -> str:
    """Space-separated search keys cut to a column's length: whole variants while they fit,
    else the start of the first one (still found by its beginning). PostgreSQL refuses a
    longer value where SQLite would store it."""
    if len(keys) <= max_length:
        return keys
    kept: list[str] = []
    for key in keys.split():
        if len(" ".join([*kept, key])) > max_length:
            break
        kept.append(key)
    return " ".join(kept) or keys[:max_length]


def search_keys(name: str) -> str:
    """The pinyin search column of a person's or household head's name: every full-pinyin and
    initials variant, each after a space, so that ``LIKE '% zth%'`` finds a variant from its
    start (and a trigram index on PostgreSQL serves that pattern)."""
    full, initials = pinyin_keys(name, per_char=True)
    return " " + " ".join(dict.fromkeys([*full.split(), *initials.split()]))
