"""Bench-only settings: production-like (bench/settings_serve.py) plus Django's admin, so that
bench/people_scale.py can time the admin changelist of households beside the household list.
The project itself does not install the admin (docs/decisions.md)."""

from bench.settings_serve import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.admin"]  # noqa: F405
ROOT_URLCONF = "bench.urls"
