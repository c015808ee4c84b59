from django.urls import path

from tromeja.notices import views

app_name = "notices"

urlpatterns = [
    path("", views.notice_list, name="notice_list"),
    path("new/", views.notice_create, name="notice_create"),
    path("export/", views.notice_export, name="notice_export"),
    path("export/<int:pk>/", views.notice_export_job, name="export_job"),
    path("export/<int:pk>/file", views.notice_export_file, name="export_file"),
    path("<uuid:pk>/", views.notice_detail, name="notice_detail"),
    path("<uuid:pk>/edit/", views.notice_edit, name="notice_edit"),
    path("<uuid:pk>/erase/", views.notice_erase, name="notice_erase"),
    path("<uuid:pk>/print/", views.notice_print, name="notice_print"),
]
