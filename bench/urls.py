"""The project's URLs plus, for the benchmark only, an admin site with a household changelist
scoped like the household list (``Household.objects.visible_to(request.user)``)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import include, path

from config.urls import handler400, handler403, handler404, handler500
from fulian.households.models import Household


class BenchAdminSite(admin.AdminSite):
    """Any logged-in user may open it: the bench times the changelist as a peer, nothing else."""

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_authenticated)


class HouseholdAdmin(admin.ModelAdmin):
    list_display = ("head_name", "org", "members_count", "categories")
    list_select_related = ("org",)
    list_per_page = 50  # the household list's page size (the admin's default is 100)
    search_fields = ("head_name__startswith",)  # the list's Chinese-name search, same lookup

    def get_queryset(self, request: HttpRequest) -> Any:
        return Household.objects.visible_to(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


site = BenchAdminSite(name="bench_admin")
site.register(Household, HouseholdAdmin)

urlpatterns = [path("admin/", site.urls), path("", include("config.urls"))]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
