from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditlogConfig(AppConfig):
    name = "tromeja.auditlog"
    label = "auditlog"
    verbose_name = _("Audit log")

    def ready(self):
        from tromeja.core.modules import Module, register
        from tromeja.core.roles import Perm

        register(
            Module(
                section="audit",
                label=_("Audit log"),
                url_name="auditlog:entry_list",
                permission=Perm.READ_AUDIT_LOG,
            )
        )
