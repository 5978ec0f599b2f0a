"""The campaign routes of the REST API (included under /api/v1/campaigns/ in the ``api``
namespace): every name starts with ``campaign-`` (``api:campaign-list``,
``api:campaign-sheet-detail``…)."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import DefaultRouter

from fulian.campaigns.api.views import (
    AwardViewSet,
    CampaignViewSet,
    EntryViewSet,
    NominationViewSet,
    ObjectionViewSet,
    PublicityViewSet,
    RaterAssignmentViewSet,
    ResultViewSet,
    RubricViewSet,
    ScoreSheetViewSet,
    StageViewSet,
)

router = DefaultRouter()
# The API's own root lists the routes; a second root here would take its name.
router.include_root_view = False
router.register("rubrics", RubricViewSet, basename="campaign-rubric")
router.register("nominations", NominationViewSet, basename="campaign-nomination")
router.register("entries", EntryViewSet, basename="campaign-entry")
router.register("results", ResultViewSet, basename="campaign-result")
router.register("raters", RaterAssignmentViewSet, basename="campaign-rater")
router.register("sheets", ScoreSheetViewSet, basename="campaign-sheet")
router.register("stages", StageViewSet, basename="campaign-stage")
router.register("publicities", PublicityViewSet, basename="campaign-publicity")
router.register("objections", ObjectionViewSet, basename="campaign-objection")
router.register("awards", AwardViewSet, basename="campaign-award")
router.register("", CampaignViewSet, basename="campaign")

urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
