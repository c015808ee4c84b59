from django.urls import path

from tromeja.exchange import views

app_name = "exchange"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.request_create, name="request_create"),
    path("cases/<uuid:pk>/", views.case_detail, name="case_detail"),
    path("legs/<int:pk>/reply/", views.leg_reply, name="leg_reply"),
    path("legs/<int:pk>/clarify/", views.leg_clarify, name="leg_clarify"),
    path("messages/<uuid:pk>/forward/", views.message_forward, name="message_forward"),
    path("messages/<uuid:pk>/consent/", views.message_consent, name="message_consent"),
]
