from django.urls import path

from fulian.households import views

app_name = "households"
urlpatterns = [
    path("", views.household_list, name="list"),
    path("export/", views.household_export, name="export"),
    path("new/", views.household_create, name="create"),
    path("<int:pk>/", views.household_detail, name="detail"),
    path("<int:pk>/edit/", views.household_edit, name="edit"),
    path("<int:pk>/reveal/", views.household_reveal, name="reveal"),
    path("<int:pk>/archive/", views.household_archive, name="archive"),
    path("<int:pk>/restore/", views.household_restore, name="restore"),
    path("<int:pk>/erase/", views.household_erase, name="erase"),
    path("<int:pk>/members/", views.member_create, name="member_create"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("members/<int:pk>/reveal/", views.member_reveal, name="member_reveal"),
]
