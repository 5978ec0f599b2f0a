from django.urls import path

from fulian.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.org_list, name="list"),
    path("pick/", views.org_pick, name="pick"),
    path("<int:pk>/", views.org_detail, name="detail"),
    path("<int:pk>/children/", views.org_children, name="children"),
    path("<int:pk>/groups/new/", views.group_create, name="group_create"),
    path("<int:pk>/rename/", views.group_rename, name="group_rename"),
]
