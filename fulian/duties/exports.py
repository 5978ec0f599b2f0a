"""The duties area's spreadsheet exports (registered with ``fulian.exports``): the figures'
drill-downs (``figures_exports``) and the assessment results (``report_exports``)."""

from fulian.duties import figures_exports, report_exports  # noqa: F401
from fulian.duties import request_exports  # noqa: F401, E402
