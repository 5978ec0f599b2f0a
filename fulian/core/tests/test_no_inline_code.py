"""The Content-Security-Policy allows scripts and styles from the site's own files only, so no
template may carry an inline script, a <style> element, a style="" attribute or an on…="" handler
(the browser tests also fail on any violation the browser reports)."""

import re
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "<style> element": re.compile(r"<style\b", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def templates() -> list[Path]:
    found = list((BASE / "templates").rglob("*.html"))
    found += list((BASE / "fulian").rglob("templates/**/*.html"))
    return sorted(found)


def test_templates_hold_no_inline_script_or_style() -> None:
    offences = [
        f"{path.relative_to(BASE)}:{text[: m.start()].count(chr(10)) + 1}: {what}"
        for path in templates()
        for text in [path.read_text(encoding="utf-8")]
        for what, pattern in INLINE.items()
        for m in pattern.finditer(text)
    ]
    assert len(templates()) > 50
    assert offences == []


def test_the_guard_sees_an_inline_style() -> None:
    assert INLINE["style attribute"].search('<div class="x" style="width: 3%">')
    assert INLINE["inline script"].search("<script>alert(1)</script>")
    assert not INLINE["inline script"].search('<script src="/static/app.js" defer></script>')
