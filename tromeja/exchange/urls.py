from django.urls import path

from tromeja.exchange import attention, duty_views, inbox_views, stats_views, views

app_name = "exchange"

urlpatterns = [
    path("", inbox_views.inbox, name="inbox"),
    path("new/", views.request_create, name="request_create"),
    path("inform/", views.information_create, name="information_create"),
    # Opening a case shows its answers: they are no longer new to the reader.
    path("cases/<uuid:pk>/", attention.marks_case_seen(views.case_detail), name="case_detail"),
    path("cases/<uuid:pk>/print/", views.case_print, name="case_print"),
    path("cases/<uuid:pk>/close/", views.case_close, name="case_close"),
    path("legs/<int:pk>/reply/", views.leg_reply, name="leg_reply"),
    path("legs/<int:pk>/clarify/", views.leg_clarify, name="leg_clarify"),
    path("messages/<uuid:pk>/forward/", views.message_forward, name="message_forward"),
    path("messages/<uuid:pk>/consent/", views.message_consent, name="message_consent"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("legs/<int:pk>/assign/", duty_views.leg_assign, name="leg_assign"),
    path("hand-over/", duty_views.hand_over, name="hand_over"),
    path("roster/", duty_views.roster, name="roster"),
    path("roster/<int:pk>/delete/", duty_views.shift_delete, name="shift_delete"),
    path("overdue/", duty_views.overdue, name="overdue"),
    path("statistics/", stats_views.statistics, name="statistics"),
    path("statistics.csv", stats_views.statistics_csv, name="statistics_csv"),
]
