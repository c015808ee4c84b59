from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tromeja.core"
    label = "core"
    verbose_name = _("Reference data and audit")

    def ready(self):
        from tromeja.core.modules import Module, register
        from tromeja.core.roles import Perm

        register(
            Module(
                section="administration",
                label=_("Administration"),
                url_name="admin:index",
                permission=Perm.ADMINISTER_NODE,
            )
        )
