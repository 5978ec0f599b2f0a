"""The duties area's spreadsheet exports (registered with ``fulian.exports``): the figures'
drill-downs (``figures_exports``) and the assessment results (``report_exports``)."""

from fulian.duties import (  # noqa: F401
    figures_exports,
    report_exports,
    request_exports,
)
