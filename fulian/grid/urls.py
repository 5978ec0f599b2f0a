"""Grid pages; each module of ``fulian.grid.views`` writes its own URLs out."""

from fulian.grid.views import assignments, contacts, coverage, load

app_name = "grid"
urlpatterns = [*coverage.urlpatterns, *assignments.urlpatterns, *load.urlpatterns, *contacts.urlpatterns]
