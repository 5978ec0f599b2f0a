"""Words put together in the reader's language."""

from collections.abc import Iterable

from django.utils.translation import pgettext


def list_text(items: Iterable[object]) -> str:
    """Items as one text, with the reader's list separator (``、`` in Chinese, ``, `` in English)."""
    return pgettext("between the items of a list", ", ").join(str(item) for item in items)
