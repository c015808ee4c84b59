from django.urls import path

from tromeja.auditlog import views

app_name = "auditlog"

urlpatterns = [
    path("", views.entry_list, name="entry_list"),
    path("users/", views.user_suggestions, name="user_suggestions"),
    path("records/<uuid:pk>/", views.record_history, name="record_history"),
    path("keys/", views.public_keys, name="public_keys"),
    path("exports/", views.export_create, name="export_create"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
]
