from django.urls import path

from tromeja.core import ops_views

urlpatterns = [
    path("health/", ops_views.health_page, name="health"),
    path("jobs/<int:pk>/retry/", ops_views.job_retry, name="job_retry"),
]
