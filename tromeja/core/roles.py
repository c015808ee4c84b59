"""Roles and what each may do: the table docs/roles.md shows.

This module is the single source of truth; docs/roles.md is checked against it
by a test, and every permission check in the code asks `has_perm_code`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DUTY_OFFICER = "duty_officer", _("Duty officer (single point of contact)")
    BORDER_OFFICER = "border_officer", _("Border officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    ANALYST = "analyst", _("Analyst")
    PATROL_PLANNER = "patrol_planner", _("Patrol planner")
    COMMANDER = "commander", _("Commander")
    NODE_ADMIN = "node_admin", _("Node administrator")
    DATA_PROTECTION_OFFICER = "dpo", _("Data protection officer")


class Perm(models.TextChoices):
    VIEW_RECORDS = "view_records", _("Read records of own country and those shared with it")
    CREATE_RECORDS = "create_records", _("Create and edit own country's records")
    SHARE_RECORDS = "share_records", _("Share records with partner countries")
    VALIDATE_REPORTS = "validate_reports", _("Validate or return reports")
    EXPORT_RECORDS = "export_records", _("Export and print records")
    EXCHANGE_MESSAGES = "exchange_messages", _("Send and answer contact-point requests")
    PLAN_PATROLS = "plan_patrols", _("Plan joint patrols")
    VIEW_SITUATION = "view_situation", _("See statistics and the situational picture")
    ANALYSE_NETWORKS = "analyse_networks", _("Run network analysis")
    ADMINISTER_NODE = "administer_node", _("Manage users and reference data")
    READ_AUDIT_LOG = "read_audit_log", _("Search and export the audit log")
    READ_RECORD_HISTORY = "read_record_history", _("Read who accessed own country's records")
    USE_API = "use_api", _("Hold personal API tokens")


_OPERATIONAL = {Perm.VIEW_RECORDS, Perm.USE_API}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.DUTY_OFFICER: frozenset(
        _OPERATIONAL
        | {
            Perm.CREATE_RECORDS,
            Perm.SHARE_RECORDS,
            Perm.EXPORT_RECORDS,
            Perm.EXCHANGE_MESSAGES,
            Perm.VIEW_SITUATION,
        }
    ),
    Role.BORDER_OFFICER: frozenset(_OPERATIONAL | {Perm.CREATE_RECORDS}),
    Role.SUPERVISOR: frozenset(
        _OPERATIONAL
        | {
            Perm.CREATE_RECORDS,
            Perm.SHARE_RECORDS,
            Perm.VALIDATE_REPORTS,
            Perm.EXPORT_RECORDS,
            Perm.EXCHANGE_MESSAGES,
            Perm.READ_RECORD_HISTORY,
            Perm.PLAN_PATROLS,
            Perm.VIEW_SITUATION,
        }
    ),
    Role.ANALYST: frozenset(
        _OPERATIONAL
        | {Perm.CREATE_RECORDS, Perm.EXPORT_RECORDS, Perm.VIEW_SITUATION, Perm.ANALYSE_NETWORKS}
    ),
    Role.PATROL_PLANNER: frozenset(_OPERATIONAL | {Perm.PLAN_PATROLS, Perm.VIEW_SITUATION}),
    Role.COMMANDER: frozenset(
        _OPERATIONAL
        | {Perm.SHARE_RECORDS, Perm.EXPORT_RECORDS, Perm.PLAN_PATROLS, Perm.VIEW_SITUATION}
    ),
    # Need to know: administrators and data protection officers run the node
    # and check it; they do not read operational records.
    Role.NODE_ADMIN: frozenset({Perm.ADMINISTER_NODE}),
    Role.DATA_PROTECTION_OFFICER: frozenset({Perm.READ_AUDIT_LOG, Perm.READ_RECORD_HISTORY}),
}


def permissions_for(roles) -> frozenset[str]:
    granted: set[str] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)
