"""Names of organisations: official division names without the committee suffix, and the
many spellings of a village group's number (``第三村民小组`` = ``三组`` = ``3队``)."""

import re
import unicodedata

# Order matters: the longest suffix first.
_SUFFIXES = (
    (re.compile(r"社区(居民委员会|居委会)$"), "社区"),
    # The full name repeats 村: 回龙村村民委员会 is the committee of 回龙村, not of 回龙村村.
    (re.compile(r"(?<=村)村民委员会$"), ""),
    (re.compile(r"村民委员会$"), "村"),
    # The statistics office's short form keeps the village's own 村: 浆村村委会 is 浆村村,
    # like its neighbour 桃村村.
    (re.compile(r"村委会$"), "村"),
    # A 居委会 without 社区 in its name is a community: 洣瑶居民委员会 → 洣瑶社区.
    (re.compile(r"(居民委员会|居委会)$"), "社区"),
)


def display_name(official: str) -> str:
    """``蔬菜村委会`` → ``蔬菜村``; ``龙湖社区居委会`` → ``龙湖社区``; others unchanged."""
    name = official.strip()
    for pattern, replacement in _SUFFIXES:
        if pattern.search(name):
            return pattern.sub(replacement, name)
    return name


# --- village groups (村民小组) -------------------------------------------------------------
# A household list names a village's groups as it pleases: 3组, 三组, 第三组, 第3小组, 第三村民小组,
# 3队, 第三生产队, 03组, ３组. All of them are group number 3 of the village.

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMERALS = "一二三四五六七八九十"
# The longest suffix first, so that 村民小组 is not read as 村民小 + 组.
GROUP_SUFFIXES = ("村民小组", "村民组", "生产队", "小组", "小队", "组", "队")
_GROUP_NUMBER = re.compile(
    r"(?P<prefix>第?)(?P<number>[0-9]+|[" + _CN_NUMERALS + r"]+)(?P<suffix>" + "|".join(GROUP_SUFFIXES) + r")?"
)
# How a new numbered group is named when its village has no numbered groups to follow.
DEFAULT_GROUP_STYLE = ("", "arabic", "组")


def clean_text(text: object) -> str:
    """A cell as typed, in one form: full-width digits and letters made plain (NFKC), every
    space (also the ideographic one) removed."""
    return "".join(unicodedata.normalize("NFKC", str(text or "")).split())


def chinese_number(token: str) -> int | None:
    """``三`` → 3, ``十`` → 10, ``十二`` → 12, ``二十`` → 20, ``九十九`` → 99; None if malformed."""
    if not token or any(c not in _CN_NUMERALS for c in token):
        return None
    if "十" not in token:
        return _CN_DIGITS[token] if len(token) == 1 else None
    tens, _sep, units = token.partition("十")
    if len(tens) > 1 or len(units) > 1 or "十" in units:
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def chinese_numeral(number: int) -> str:
    """3 → ``三``, 10 → ``十``, 12 → ``十二``, 20 → ``二十``; numbers from 100 stay Arabic."""
    digits = "零" + _CN_NUMERALS[:9]
    if not 0 < number < 100:
        return str(number)
    tens, units = divmod(number, 10)
    if tens == 0:
        return digits[units]
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[units] if units else "")


def group_style(name: str) -> tuple[str, str, str] | None:
    """How a numbered group's name is written: ``第三村民小组`` → ("第", "chinese", "村民小组")."""
    match = _GROUP_NUMBER.fullmatch(clean_text(name))
    if match is None or group_number(name) is None:
        return None
    kind = "arabic" if match["number"].isdigit() else "chinese"
    return match["prefix"], kind, match["suffix"] or ""


def group_number(name: str) -> int | None:
    """The number a group's name gives it (``第三村民小组``, ``3组``, ``３队`` → 3), or None for a
    name that is not a number (``河东组``). Zero is not a group number."""
    match = _GROUP_NUMBER.fullmatch(clean_text(name))
    if match is None:
        return None
    token = match["number"]
    number = int(token) if token.isdigit() else chinese_number(token)
    return number or None


def group_name(number: int, style: tuple[str, str, str] = DEFAULT_GROUP_STYLE) -> str:
    """Group ``number`` written in ``style``: 3 → ``3组`` by default, ``第三村民小组`` in that style."""
    prefix, kind, suffix = style
    return f"{prefix}{chinese_numeral(number) if kind == 'chinese' else number}{suffix}"


def group_stem(name: str) -> str:
    """A group's name without 第 and the word for group: ``河东村民小组``, ``河东组``, ``河东队``
    → ``河东`` (to notice a new group that may be an existing one written differently)."""
    text = clean_text(name)
    for suffix in GROUP_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    return text.removeprefix("第") or text


def names_close(a: str, b: str) -> bool:
    """Whether two group names are the same but for the word for group (``河东`` and
    ``河东村民小组``), or one character apart (``河东组`` and ``河栋组``)."""
    a, b = clean_text(a), clean_text(b)
    if a == b:
        return False
    stem_a, stem_b = group_stem(a), group_stem(b)
    if stem_a == stem_b:
        return True
    if min(len(stem_a), len(stem_b)) < 2:
        return False
    return _within_one_edit(stem_a, stem_b)


def _within_one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    # a is the shorter (or as long): skip the first difference and compare the rest.
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return a[i + 1 :] == b[i + 1 :] if len(a) == len(b) else a[i:] == b[i + 1 :]
    return True
