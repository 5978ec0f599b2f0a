"""Serializer fields shared by the apps' APIs."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, TypeVar

from django.db import models
from rest_framework import serializers
from rest_framework.fields import empty

_M = TypeVar("_M", bound=models.Model)


class ModelSerializer(serializers.ModelSerializer[_M]):
    """DRF's ModelSerializer, except that a read-only choice field of a model field that may be
    blank keeps ``allow_blank``: DRF drops it for read-only fields, and the published schema
    would then say "one of these values" for a field that is often ``""``."""

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


class RevealSerializer(serializers.Serializer[Any]):
    field = serializers.ChoiceField(choices=["id_number", "mobile"])


class RevealedSerializer(serializers.Serializer[Any]):
    field = serializers.CharField()
    value = serializers.CharField()
