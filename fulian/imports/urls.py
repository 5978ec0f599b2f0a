from django.urls import path

from fulian.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.batch_list, name="list"),
    path("new/<str:kind>/", views.batch_create, name="create"),
    path("template/<str:kind>/", views.template_download, name="template"),
    path("<int:pk>/", views.batch_detail, name="detail"),
    path("<int:pk>/commit/", views.batch_commit, name="commit"),
    path("<int:pk>/cancel/", views.batch_cancel, name="cancel"),
    path("<int:pk>/problems/", views.batch_problems, name="problems"),
    path("<int:pk>/undo/", views.batch_undo, name="undo"),
]
