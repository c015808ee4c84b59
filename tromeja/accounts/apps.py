from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tromeja.accounts"
    label = "accounts"
    verbose_name = _("Users and sign-in")

    def ready(self):
        from tromeja.accounts import signals  # noqa: F401
