"""The campaign pages for staff and 执委 (the public pages are in ``public_urls``)."""

from fulian.campaigns.views import nominations, printing, progress, rater, review, setup

app_name = "campaigns"
urlpatterns = [
    *setup.urlpatterns,
    *nominations.urlpatterns,
    *rater.urlpatterns,
    *review.urlpatterns,
    *progress.urlpatterns,
    *printing.urlpatterns,
]
