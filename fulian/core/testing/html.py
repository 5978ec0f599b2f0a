"""Reading a page's form as a browser would submit it, for tests that save a form untouched."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, list[str]]] = []
        self._form: dict[str, list[str]] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a: dict[str, Any] = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.setdefault(name, []).append(a.get("value") or "on")
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self._form.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self._form.setdefault(name, [])
        elif tag == "option" and self._select is not None and "selected" in a:
            self._form[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._form[name] = [""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea is not None:
            current = self._form[self._textarea][0]
            # A textarea's content starts after the newline that follows its tag, as browsers read it.
            self._form[self._textarea][0] = current + (data[1:] if not current and data.startswith("\n") else data)


def form_data(page: str, *, having: str) -> dict[str, list[str]]:
    """The values the page's form holding a field named ``having`` would submit, unchanged."""
    parser = _Forms()
    parser.feed(page)
    for form in parser.forms:
        if having in form:
            return form
    raise AssertionError(f"No form with a field named {having!r} on the page.")
