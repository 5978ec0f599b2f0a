"""Points pages; each module of ``fulian.points.views`` writes its own URLs out."""

from fulian.points.views import ledger, passbook, ranks, schemes, store

app_name = "points"
urlpatterns = [
    *passbook.urlpatterns,
    *ranks.urlpatterns,
    *schemes.urlpatterns,
    *store.urlpatterns,
    *ledger.urlpatterns,
]
