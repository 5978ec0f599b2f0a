from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog, set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from fulian.core import views as core_views
from fulian.orgs import views as org_views

urlpatterns = [
    path("", org_views.home, name="home"),
    path("healthz", login_not_required(core_views.healthz), name="healthz"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("jsi18n/", login_not_required(JavaScriptCatalog.as_view()), name="jsi18n"),
    path("accounts/", include("fulian.accounts.urls")),
    path("orgs/", include("fulian.orgs.urls")),
    path("people/", include("fulian.people.urls")),
    path("households/", include("fulian.households.urls")),
    path("grid/", include("fulian.grid.urls")),
    path("campaigns/", include("fulian.campaigns.urls")),
    path("duties/", include("fulian.duties.urls")),
    path("points/", include("fulian.points.urls")),
    path("p/", include("fulian.campaigns.public_urls")),
    path("imports/", include("fulian.imports.urls")),
    path("exports/", include("fulian.exports.urls")),
    path("audit/", include("fulian.audit.urls")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("api/docs/", login_not_required(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="api-docs"),
    # Anything else under /api/ is a JSON 404, also when DEBUG shows HTML pages elsewhere.
    re_path(r"^api/", login_not_required(core_views.api_not_found)),
]

handler400 = core_views.bad_request
handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
handler500 = core_views.server_error
