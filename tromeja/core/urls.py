from django.urls import include, path

from tromeja.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("attention/", views.attention, name="attention"),
    path("", include("tromeja.core.ops_urls")),
]
