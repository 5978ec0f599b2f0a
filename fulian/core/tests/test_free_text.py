"""Typed text is trimmed and printable, on every form and every API body: the rule lives in
the project's form and serializer bases, and every form and serializer is built on them."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

import fulian
from fulian.core.api_fields import FreeTextSerializerMixin
from fulian.core.forms import FreeTextFormMixin
from fulian.core.validation import multiline_text, single_line_text


def _project_classes(base: type) -> list[type]:
    for module in pkgutil.walk_packages(fulian.__path__, "fulian."):
        if ".tests" not in module.name and ".migrations" not in module.name:
            importlib.import_module(module.name)
    found: list[type] = []
    todo: list[type] = list(base.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("fulian.") and ".tests" not in cls.__module__:
            found.append(cls)
    return found


def test_every_form_of_the_project_checks_its_text() -> None:
    assert _project_classes(forms.BaseForm)
    assert [cls for cls in _project_classes(forms.BaseForm) if not issubclass(cls, FreeTextFormMixin)] == []


def test_every_serializer_of_the_project_checks_its_text() -> None:
    assert _project_classes(serializers.BaseSerializer)
    unchecked = [
        cls for cls in _project_classes(serializers.BaseSerializer) if not issubclass(cls, FreeTextSerializerMixin)
    ]
    assert unchecked == []


@pytest.mark.parametrize(
    ("value", "one_line", "lines"),
    [
        ("周桂姣 新市镇·回龙村 3组（东）", True, True),
        ("第一行\r\n\t第二行", False, True),
        ("nul\x00", False, False),
        ("bell\x07", False, False),
        ("escape\x1b[0m", False, False),
        ("vertical tab\x0b", False, False),
        ("delete\x7f", False, False),
        ("c1\x85", False, False),
        ("c1\x9f", False, False),
        ("surrogate\ud800", False, False),
        ("\u00a0no-break space and \u200bzero width are not control characters", True, True),
    ],
)
def test_what_counts_as_a_control_character(value: str, one_line: bool, lines: bool) -> None:
    for validator, accepted in ((single_line_text, one_line), (multiline_text, lines)):
        if accepted:
            validator(value)
        else:
            with pytest.raises(ValidationError) as refused:
                validator(value)
            assert refused.value.code == "control_character"


def test_passwords_are_left_as_typed() -> None:
    class Login(FreeTextFormMixin, forms.Form):
        username = forms.CharField()
        password = forms.CharField(strip=False)

    form: Any = Login({"username": " 周\t", "password": " pass\tword "})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"username": "周", "password": " pass\tword "}
