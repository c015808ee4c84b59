from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "tromeja.exchange"
    label = "exchange"
    verbose_name = _("Contact-point exchange")

    def ready(self):
        from tromeja.core import health
        from tromeja.core.modules import AttentionPanel, Entry, Module, register
        from tromeja.core.roles import Perm
        from tromeja.exchange import alerts, attention

        health.register(alerts.health_check)

        register(
            Module(
                section="requests",
                label=_("Contact point"),
                url_name="exchange:inbox",
                permission=Perm.EXCHANGE_MESSAGES,
                panels=(AttentionPanel("exchange/partials/attention.html", attention.panel),),
                badge=attention.badge,
                # Those who follow the situational picture (analysts) read the
                # contact point's statistics (exchange.stats.require_viewer).
                alternatives=(
                    Entry(
                        _("Contact-point statistics"),
                        "exchange:statistics",
                        Perm.VIEW_SITUATION,
                    ),
                ),
            )
        )
