from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "tromeja.notices"
    label = "notices"
    verbose_name = _("Operational notices")

    def ready(self):
        from tromeja.core.modules import AttentionPanel, Module, register
        from tromeja.core.roles import Perm
        from tromeja.notices.queries import attention_panel

        register(
            Module(
                section="notices",
                label=_("Notices"),
                url_name="notices:notice_list",
                permission=Perm.VIEW_RECORDS,
                panels=(AttentionPanel("notices/partials/attention.html", attention_panel),),
            )
        )
