"""Serializer fields shared by the apps' APIs."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, TypeVar

from django.db import models
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty

from fulian.core.filters import MAX_ID
from fulian.core.validation import multiline_text, single_line_text

_M = TypeVar("_M", bound=models.Model)
_T = TypeVar("_T")


class FreeTextSerializerMixin:
    """Every text field a client writes is trimmed (DRF's default) and refuses control
    characters: a field styled as a text area (``style={"base_template": "textarea.html"}``,
    as DRF styles a model's ``TextField``) keeps tabs and line breaks, any other field takes one
    line. Fields that keep what was sent exactly (``trim_whitespace=False``: passwords) are left
    alone."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields: dict[str, serializers.Field[Any, Any, Any, Any]] = super().get_fields()  # type: ignore[misc]
        for field in fields.values():
            if isinstance(field, serializers.CharField) and not field.read_only:
                field.to_internal_value = _text_only(field.to_internal_value)  # type: ignore[method-assign]
                if field.trim_whitespace:
                    multiline = field.style.get("base_template") == "textarea.html"
                    field.validators.append(multiline_text if multiline else single_line_text)
        return fields


def _text_only(to_internal_value: Any) -> Any:
    """DRF's text fields take a JSON number or true/false and store it as text (``"name": 0``
    became a member named "0"); the schema says text, so anything else is a 400 on the field."""

    def text(data: Any) -> Any:
        if not isinstance(data, str):
            raise serializers.ValidationError(_("Enter text, not a number or a list."), code="invalid")
        return to_internal_value(data)

    return text


class Serializer(FreeTextSerializerMixin, serializers.Serializer[_T]):
    """The base of every serializer of the project that is not a model serializer."""


class ModelSerializer(FreeTextSerializerMixin, serializers.ModelSerializer[_M]):
    """The base of every model serializer of the project: DRF's ModelSerializer, except that a
    read-only choice field of a model field that may be blank keeps ``allow_blank``: DRF drops
    it for read-only fields, and the published schema would then say "one of these values" for
    a field that is often ``""``."""

    def include_extra_kwargs(
        self, kwargs: MutableMapping[str, Any], extra_kwargs: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        blank = kwargs.get("allow_blank", False) and "choices" in kwargs
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if blank and kwargs.get("read_only"):
            kwargs["allow_blank"] = True
        return kwargs


class RequiredBooleanField(serializers.BooleanField):
    """A boolean the request must send. DRF reads a boolean missing from a form body as
    ``false`` (an unticked HTML checkbox), so ``POST accounts/1/active/`` with no field at all
    deactivated the account; here a missing value is a 400 naming the field, whatever the body's
    encoding. In a JSON body it is ``true`` or ``false``, as the schema says: DRF would also take
    ``0``, ``1`` or ``"yes"``; a form body's text (``active=0``) is read as DRF reads it."""

    default_empty_html = empty

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool) and not isinstance(getattr(self.root, "initial_data", None), QueryDict):
            raise serializers.ValidationError(_("Enter true or false."), code="invalid")
        return super().to_internal_value(data)


class RevealSerializer(Serializer[Any]):
    field = serializers.ChoiceField(choices=["id_number", "mobile"])


class RevealedSerializer(Serializer[Any]):
    field = serializers.CharField()
    value = serializers.CharField()


class IdField(serializers.IntegerField):
    """A record's id in a request body: a whole number from 1 to the largest id the database
    holds. A larger one is a 400 on the field, not an overflow in the database driver."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)
