from django.urls import path

from fulian.accounts import own_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("login/code/", views.login_code, name="login_code"),
    path("login/two-factor/", views.login_enrol, name="login_enrol"),
    path("password/", views.password_change, name="password_change"),
    path("me/", own_views.account_me, name="me"),
    path("me/two-factor/", own_views.two_factor_settings, name="two_factor"),
    path("tokens/<int:pk>/revoke/", own_views.token_revoke, name="token_revoke"),
    path("", views.account_list, name="list"),
    path("new/", views.account_create, name="create"),
    path("<int:pk>/", views.account_detail, name="detail"),
    path("<int:pk>/unlock/", views.account_unlock, name="unlock"),
    path("<int:pk>/active/", views.account_set_active, name="set_active"),
    path("<int:pk>/password/", views.account_password, name="password"),
    path("<int:pk>/reveal-mobile/", views.account_reveal_mobile, name="reveal_mobile"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
]
