from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "tromeja.incidents"
    label = "incidents"
    verbose_name = _("Incident reports")

    def ready(self):
        from tromeja.core.modules import AttentionPanel, Module, register
        from tromeja.core.roles import Perm
        from tromeja.incidents.queries import attention_panel

        register(
            Module(
                section="incidents",
                label=_("Incidents"),
                url_name="incidents:incident_list",
                permission=Perm.VIEW_RECORDS,
                panels=(AttentionPanel("incidents/partials/attention.html", attention_panel),),
            )
        )
