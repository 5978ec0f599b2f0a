"""Display names: official division names without the committee suffix."""

import re

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
