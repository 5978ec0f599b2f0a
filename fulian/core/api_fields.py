"""Serializer fields shared by the apps' APIs."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, TypeVar

from django.db import models
from rest_framework import serializers
from rest_framework.fields import empty

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
            if isinstance(field, serializers.CharField) and not field.read_only and field.trim_whitespace:
                multiline = field.style.get("base_template") == "textarea.html"
                field.validators.append(multiline_text if multiline else single_line_text)
        return fields


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
    encoding."""

    default_empty_html = empty


class RevealSerializer(Serializer[Any]):
    field = serializers.ChoiceField(choices=["id_number", "mobile"])


class RevealedSerializer(Serializer[Any]):
    field = serializers.CharField()
    value = serializers.CharField()
