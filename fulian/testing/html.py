"""Reading a page in a test the way a person reads it: the text of one element, found by a
small CSS selector, rather than a substring that may also stand in the menu, the footer, the
search box or a hidden input.

    from fulian.testing import html

    html.texts(response, "#person-results td:first-child a")  # the names in the results
    html.text(response, "main .alert-danger")                   # the one error alert
    html.field_errors(response, "mobile")                       # the errors shown beside a field
    html.form_data(page, having="name")                         # a form's values, to post it back

Selectors: a tag (or ``*``), ``#id``, ``.class``, ``[attr]``, ``[attr=value]``,
``[attr^=value]``, ``[attr*=value]``, ``:first-child``, combined without spaces; a space between
two of them means "inside", ``>`` "directly inside". Nothing more: a test that needs more
should name the element it means with an id or a ``data-testid``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
NOT_TEXT = {"script", "style", "template"}


@dataclass(eq=False)
class Element:
    """One element of the page, with its attributes and what it contains."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """What the element shows, whitespace collapsed (attribute values are not text)."""
        return " ".join("".join(self._strings()).split())

    def _strings(self) -> Iterator[str]:
        for child in self.children:
            if isinstance(child, str):
                yield child
            elif child.tag not in NOT_TEXT:
                yield " " if child.tag in ("br", "td", "th", "li", "p", "div") else ""
                yield from child._strings()
                yield " " if child.tag in ("td", "th", "li", "p", "div") else ""

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def elements(self) -> Iterator[Element]:
        """Every element inside this one, in document order."""
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.elements()

    def select(self, selector: str) -> list[Element]:
        steps = _parse_selector(selector)
        return [e for e in self.elements() if _matches_path(e, steps, self)]

    def select_one(self, selector: str) -> Element:
        """The one element matching ``selector``; an AssertionError says how many there were."""
        found = self.select(selector)
        assert len(found) == 1, f"{len(found)} elements match {selector!r}, not one: {[repr(e) for e in found[:5]]}"
        return found[0]

    def __repr__(self) -> str:
        attrs = "".join(f' {k}="{v}"' for k, v in self.attrs.items() if k in ("id", "class", "name", "href"))
        text = self.text
        return f"<{self.tag}{attrs}>{text[:60]}{'…' if len(text) > 60 else ''}"


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.open: list[Element] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, parent=self.open[-1])
        self.open[-1].children.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}, parent=self.open[-1]))

    def handle_endtag(self, tag: str) -> None:
        # Close the nearest open element of that name (and whatever was left open inside it).
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.open[-1].children.append(data)


def parse(page: Any) -> Element:
    """The page (a response, bytes or text) as a tree of elements."""
    if isinstance(page, Element):
        return page
    content = getattr(page, "content", page)
    builder = _Builder()
    builder.feed(content.decode() if isinstance(content, bytes) else content)
    builder.close()
    return builder.root


def select(page: Any, selector: str) -> list[Element]:
    return parse(page).select(selector)


def select_one(page: Any, selector: str) -> Element:
    return parse(page).select_one(selector)


def text(page: Any, selector: str) -> str:
    """The text of the one element matching ``selector``."""
    return select_one(page, selector).text


def texts(page: Any, selector: str) -> list[str]:
    """The texts of every element matching ``selector``, in page order."""
    return [e.text for e in select(page, selector)]


def field_errors(page: Any, name: str, *, form: str = "") -> list[str]:
    """The errors shown beside the form field ``name`` (``includes/field.html`` and the filter
    bar both put them in the element that holds the field's label and control). ``form`` is a
    selector of the form, when the page has more than one with that field."""
    root = select_one(page, form) if form else parse(page)
    controls = root.select(f"#id_{name}") or root.select(f"[name={name}]")
    assert controls, f"no field {name} on the page"
    label = re.compile(rf"id_{re.escape(name)}(_\d+)?")

    def labels_the_field(element: Element) -> bool:
        # Not the label of one box of a group; a group's own label points nowhere (for="").
        target = element.attrs.get("for", "")
        return "form-check-label" not in element.classes and (target == "" or bool(label.fullmatch(target)))

    holder = controls[0].parent
    while holder is not None and not any(labels_the_field(e) for e in holder.select("label")):
        assert holder.tag != "form", f"the field {name} has no label beside it"
        holder = holder.parent
    assert holder is not None, f"no element holds the field {name}"
    return [e.text for e in holder.select(".invalid-feedback")]


def alerts(page: Any, kind: str = "") -> list[str]:
    """The texts of the page's alerts (messages after a redirect, form-wide errors):
    ``kind`` narrows them to ``danger``, ``success``…"""
    return texts(page, f".alert-{kind}" if kind else ".alert")


# --- the selector ------------------------------------------------------------------------------

_COMPOUND = re.compile(
    r"""(?P<tag>[a-zA-Z][\w-]*|\*)?
        (?P<rest>(?:\#[\w-]+|\.[\w-]+|\[[^\]]+\]|:first-child|:last-child)*)""",
    re.X,
)
_PART = re.compile(r"\#([\w-]+)|\.([\w-]+)|\[([\w-]+)(?:([\^*~]?=)[\"']?([^\"'\]]*)[\"']?)?\]|:(first|last)-child")


@dataclass
class _Step:
    tag: str | None
    tests: list[tuple[str, ...]]
    direct: bool  # ">": the parent must match the previous step


def _parse_selector(selector: str) -> list[_Step]:
    steps: list[_Step] = []
    direct = False
    for token in re.findall(r">|(?:[^\s>\[]|\[[^\]]*\])+", selector.strip()):
        if token == ">":
            direct = True
            continue
        match = _COMPOUND.fullmatch(token)
        assert match, f"unsupported selector {selector!r} (at {token!r})"
        tests: list[tuple[str, ...]] = []
        for part in _PART.finditer(match.group("rest")):
            ident, cls, attr, op, value, position = part.groups()
            if ident:
                tests.append(("id", ident))
            elif cls:
                tests.append(("class", cls))
            elif attr:
                tests.append(("attr", attr, op or "", value or ""))
            else:
                tests.append(("position", position))
        tag = match.group("tag")
        steps.append(_Step(None if tag in (None, "*") else tag.lower(), tests, direct))
        direct = False
    assert steps, f"empty selector {selector!r}"
    return steps


def _element_siblings(element: Element) -> list[Element]:
    assert element.parent is not None
    return [c for c in element.parent.children if isinstance(c, Element)]


def _matches(element: Element, step: _Step) -> bool:
    if step.tag is not None and element.tag != step.tag:
        return False
    for test in step.tests:
        if test[0] == "id" and element.attrs.get("id") != test[1]:
            return False
        if test[0] == "class" and test[1] not in element.classes:
            return False
        if test[0] == "attr":
            _kind, name, op, value = test
            if name not in element.attrs:
                return False
            have = element.attrs[name]
            if (
                (op == "=" and have != value)
                or (op == "^=" and not have.startswith(value))
                or (op == "*=" and value not in have)
                or (op == "~=" and value not in have.split())
            ):
                return False
        if test[0] == "position":
            siblings = _element_siblings(element)
            if element is not (siblings[0] if test[1] == "first" else siblings[-1]):
                return False
    return True


def _matches_path(element: Element, steps: list[_Step], within: Element) -> bool:
    """Whether ``element`` matches the last step and its ancestors (below ``within``) the others."""
    if not _matches(element, steps[-1]):
        return False
    if len(steps) == 1:
        return True
    ancestor = element.parent
    if steps[-1].direct:
        return ancestor is not None and ancestor is not within and _matches_path(ancestor, steps[:-1], within)
    while ancestor is not None and ancestor is not within:
        if _matches_path(ancestor, steps[:-1], within):
            return True
        ancestor = ancestor.parent
    return False


# --- a form as a browser would submit it (a test that saves a form untouched) ------------------
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
