"""Duties pages; each module of ``fulian.duties.views`` writes its own URLs out."""

from fulian.duties.views import figures, modes, records, reports, requests, work

app_name = "duties"
urlpatterns = [
    *work.urlpatterns,
    *records.urlpatterns,
    *requests.urlpatterns,
    *figures.urlpatterns,
    *reports.urlpatterns,
    *modes.urlpatterns,
]
