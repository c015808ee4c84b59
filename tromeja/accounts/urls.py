from django.urls import path

from tromeja.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("second-factor/", views.second_factor, name="second_factor"),
    path("language/", views.set_language, name="set_language"),
    path("purpose/", views.purpose, name="purpose"),
    path("preferences/", views.preferences, name="preferences"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
