"""The household list's export (see ``fulian/exports``)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fulian.exports.kinds import ExportKind, register
from fulian.households import selectors
from fulian.households.filters import HouseholdFilter

HOUSEHOLDS = register(
    ExportKind(
        name="households",
        filterset=HouseholdFilter,
        view="households.view",
        reveal="households.reveal",
        rows_of=selectors.export_rows,
        headers=selectors.export_headers,
        basename=pgettext_lazy("file name", "households"),
        title=_("Households"),
        list_url_name="households:list",
        text_columns=(0, 4, 5),
        members_of=selectors.visible_members,
        members_text_columns=(selectors.MEMBER_ID_COLUMN,),
    )
)
