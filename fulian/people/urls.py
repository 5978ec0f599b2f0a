from django.urls import path

from fulian.people import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("export/", views.person_export, name="export"),
    path("new/", views.person_create, name="create"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/photo/", views.person_photo, name="photo"),
    path("<int:pk>/reveal/", views.person_reveal, name="reveal"),
    path("<int:pk>/archive/", views.person_archive, name="archive"),
    path("<int:pk>/restore/", views.person_restore, name="restore"),
    path("<int:pk>/erase/", views.person_erase, name="erase"),
    path("<int:pk>/promote/", views.person_promote, name="promote"),
    path("<int:pk>/posts/", views.post_create, name="post_create"),
    path("posts/<int:pk>/end/", views.post_end, name="post_end"),
    path("roster/<int:pk>/", views.org_roster, name="roster"),
    path("roster/<int:pk>/terms/", views.term_create, name="term_create"),
    path("roster/<int:pk>/changeover/", views.term_changeover, name="changeover"),
]
