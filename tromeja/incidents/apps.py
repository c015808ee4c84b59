from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "tromeja.incidents"
    label = "incidents"
    verbose_name = _("Incident reports")

    def ready(self):
        from tromeja.core.modules import AttentionPanel, Module, register
        from tromeja.core.roles import Perm

        register(
            Module(
                section="incidents",
                label=_("Incidents"),
                url_name="incidents:incident_list",
                permission=Perm.VIEW_RECORDS,
                panels=(AttentionPanel("incidents/partials/attention.html", attention_panel),),
            )
        )


def attention_panel(user) -> dict | None:
    """For supervisors: reports of their country waiting for validation that
    others wrote; for whoever writes reports: their drafts and their reports
    returned for correction; for everyone: reports partners shared in the
    last 24 hours. Two queries, through the visibility rule."""
    from datetime import timedelta

    from django.db.models import Count, Q
    from django.utils import timezone

    from tromeja.core.records import Action
    from tromeja.core.roles import Perm
    from tromeja.incidents.choices import Status
    from tromeja.incidents.models import Incident

    panel = {"waiting": 0, "drafts": 0, "returned": 0}
    if user.has_perm_code(Perm.CREATE_RECORDS) or user.has_perm_code(Perm.VALIDATE_REPORTS):
        counted = {
            "drafts": Count("pk", filter=Q(status=Status.DRAFT, created_by=user)),
            "returned": Count("pk", filter=Q(status=Status.RETURNED, created_by=user)),
        }
        if user.has_perm_code(Perm.VALIDATE_REPORTS):
            # Nobody validates their own report.
            waiting = Q(status=Status.SUBMITTED) & ~Q(created_by=user)
            counted["waiting"] = Count("pk", filter=waiting)
        panel.update(Incident.objects.restrict(user, Action.CHANGE).aggregate(**counted))
    since = timezone.now() - timedelta(hours=24)
    panel["shared"] = Incident.objects.received(user).filter(validated_at__gte=since).count()
    if not any(panel.values()):
        return None
    return panel
