"""The public pages (no account): nomination form, 公示 with the objection form, honour roll."""

from fulian.campaigns.views import public

app_name = "public"
urlpatterns = [*public.urlpatterns]
