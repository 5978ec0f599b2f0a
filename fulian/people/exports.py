"""The people list's export (see ``fulian/exports``)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fulian.exports.kinds import ExportKind, register
from fulian.people import selectors
from fulian.people.filters import PersonFilter

PEOPLE = register(
    ExportKind(
        name="people",
        filterset=PersonFilter,
        view="people.view",
        reveal="people.reveal",
        rows_of=selectors.export_rows,
        headers=selectors.export_headers,
        basename=pgettext_lazy("file name", "people"),
        title=_("People"),
        list_url_name="people:list",
        text_columns=(0, 5, 6),
    )
)
