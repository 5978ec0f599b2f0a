"""The Simplified Chinese catalogue is complete, keeps its placeholders, and is what pages show.

The catalogue is read with a small parser (no polib): enough of the PO format for what
``makemessages`` writes — comments and flags, multi-line strings, msgctxt, msgid_plural and
msgstr[n]; obsolete ``#~`` entries are ignored.
"""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from django.utils.translation.reloader import translation_file_changed

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
ZH_PO = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
CATALOGUES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))

# A printf-style named placeholder as Python formats it: %(name)s, %(n)d, %(x)05.2f.
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa]")
CJK = "\u3400-\u4dbf\u4e00-\u9fff"
# ASCII punctuation written straight after a Chinese character, where full-width belongs.
HALF_WIDTH_AFTER_CJK = re.compile(rf"[{CJK}](?:[,;:?!]|\.(?!\d)|\()")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstrs: dict[int, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


def parse_po(path: Path) -> list[Entry]:
    """Every entry of a PO file, the header (msgid "") first."""
    entries: list[Entry] = []
    entry: Entry | None = None
    keyword: str | None = None

    def start(number: int) -> Entry:
        new = Entry(line=number)
        entries.append(new)
        return new

    def append(target: Entry, key: str, text: str) -> None:
        if key == "msgctxt":
            target.msgctxt = (target.msgctxt or "") + text
        elif key == "msgid":
            target.msgid += text
        elif key == "msgid_plural":
            target.msgid_plural = (target.msgid_plural or "") + text
        else:
            index = int(key[7:-1]) if key.startswith("msgstr[") else 0
            target.msgstrs[index] = target.msgstrs.get(index, "") + text

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry, keyword = None, None
        elif line.startswith("#~"):
            continue
        elif line.startswith("#"):
            if entry is None or keyword is not None:
                entry, keyword = start(number), None
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
        elif line.startswith('"'):
            assert entry is not None, f"{path}:{number}: a string outside an entry"
            assert keyword is not None, f"{path}:{number}: a string outside an entry"
            append(entry, keyword, ast.literal_eval(line))
        else:
            key, _space, text = line.partition(" ")
            assert re.fullmatch(r"msgctxt|msgid|msgid_plural|msgstr(\[\d+\])?", key), f"{path}:{number}: {line}"
            if entry is None or (key in ("msgctxt", "msgid") and keyword is not None and keyword != "msgctxt"):
                entry = start(number)
            keyword = key
            append(entry, key, ast.literal_eval(text))
    return entries


def messages(path: Path) -> list[Entry]:
    entries = parse_po(path)
    assert entries, f"{path} has no entries"
    assert entries[0].msgid == "", f"{path} does not start with its header"
    return entries[1:]


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_the_parser_reads_multi_line_and_plural_entries(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
        "#: a.py:1\n#, fuzzy, python-format\n"
        'msgid ""\n"Two %(n)d "\n"lines"\nmsgstr ""\n"两行 %(n)d"\n\n'
        'msgctxt "menu"\nmsgid "One \\"file\\""\nmsgid_plural "%(n)d files"\nmsgstr[0] "%(n)d 个文件"\n\n'
        '#~ msgid "Gone"\n#~ msgstr "已删除"\n',
        encoding="utf-8",
    )
    header, multi, plural = parse_po(po)
    assert header.msgstrs == {0: "Language: zh_Hans\n"}
    assert (multi.msgid, multi.msgstrs, multi.flags) == (
        "Two %(n)d lines",
        {0: "两行 %(n)d"},
        {"fuzzy", "python-format"},
    )
    assert (plural.msgctxt, plural.msgid, plural.msgid_plural) == ("menu", 'One "file"', "%(n)d files")
    assert plural.msgstrs == {0: "%(n)d 个文件"}


def test_zh_hans_catalogue_is_complete() -> None:
    entries = messages(ZH_PO)
    assert len(entries) > 100
    assert "Log in" in {e.msgid for e in entries}
    untranslated = [e.label for e in entries if not e.msgstrs or not all(e.msgstrs.values())]
    assert not untranslated, "untranslated entries:\n" + "\n".join(untranslated)


@pytest.mark.parametrize("path", CATALOGUES, ids=[p.parent.parent.name for p in CATALOGUES])
def test_no_fuzzy_entries(path: Path) -> None:
    """makemessages guesses fuzzy translations that are often wrong, and fuzzy ones are not compiled."""
    fuzzy = [e.label for e in parse_po(path) if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries in {path.relative_to(LOCALE_DIR)}:\n" + "\n".join(fuzzy)


def test_zh_hans_translations_keep_their_placeholders() -> None:
    wrong = []
    for e in messages(ZH_PO):
        expected = placeholders(e.msgid) | placeholders(e.msgid_plural or "")
        if expected and "python-format" not in e.flags:
            wrong.append(f"{e.label} lacks the python-format flag")
        for msgstr in e.msgstrs.values():
            if msgstr and placeholders(msgstr) != expected:
                wrong.append(
                    f"{e.label}: {sorted(expected)} in the msgid, {sorted(placeholders(msgstr))} in {msgstr!r}"
                )
    assert not wrong, "\n".join(wrong)


def test_zh_hans_translations_use_full_width_punctuation() -> None:
    wrong = [
        f"{e.label}: {msgstr!r}"
        for e in messages(ZH_PO)
        for msgstr in e.msgstrs.values()
        if HALF_WIDTH_AFTER_CJK.search(PLACEHOLDER.sub("", msgstr))
    ]
    assert not wrong, "use ，。：；？！（ in Chinese sentences:\n" + "\n".join(wrong)


@pytest.fixture
def compiled() -> None:
    """Compile the catalogues if a .mo is missing or older than its .po (``make`` normally
    has), and make Django reload them if it did."""
    stale = [
        po
        for po in CATALOGUES
        if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        call_command("compilemessages", ignore_patterns=[".venv", "node_modules"], verbosity=0)
        translation_file_changed(sender=None, file_path=stale[0].with_suffix(".mo"))


@pytest.mark.usefixtures("compiled")
def test_gettext_follows_the_active_language() -> None:
    with translation.override("zh-hans"):
        assert translation.gettext("Log in") == "登录"
        assert translation.gettext("%(name)s Women's Federation") % {"name": "回龙村"} == "回龙村妇联"
    with translation.override("en"):
        assert translation.gettext("Log in") == "Log in"


@pytest.mark.usefixtures("compiled")
def test_login_page_is_chinese_by_default_and_english_on_request(db: Any, client: Any) -> None:
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans"' in page
    assert "登录" in page
    assert "Log in" not in page

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="en"' in page
    assert "Log in" in page
    assert "登录" not in page
