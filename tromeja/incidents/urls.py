from django.urls import path

from tromeja.incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="incident_list"),
    path("map/", views.incident_map, name="incident_map"),
    path("new/", views.incident_create, name="incident_create"),
    path("export/", views.incident_export, name="incident_export"),
    path("import/", views.incident_import, name="incident_import"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/<str:name>", views.job_file, name="job_file"),
    path("<uuid:pk>/", views.incident_detail, name="incident_detail"),
    path("<uuid:pk>/edit/", views.incident_edit, name="incident_edit"),
    path("<uuid:pk>/submit/", views.incident_submit, name="incident_submit"),
    path("<uuid:pk>/validate/", views.incident_validate, name="incident_validate"),
    path("<uuid:pk>/return/", views.incident_return, name="incident_return"),
    path("<uuid:pk>/print/", views.incident_print, name="incident_print"),
    path("<uuid:pk>/export/", views.incident_export_one, name="incident_export_one"),
]
