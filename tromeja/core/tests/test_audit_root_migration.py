"""Entries written before they named their record get it from the data
migration; their hashes do not cover those columns, so the chain still
verifies afterwards (on SQLite and PostgreSQL alike)."""

import importlib

from django.core.management import call_command
from django.db import connection

from tromeja import testing
from tromeja.core import audit
from tromeja.core.models import AuditEntry
from tromeja.exchange import services as exchange

fill = importlib.import_module("tromeja.auditlog.migrations.0002_fill_record_roots").fill


def _historical_apps():
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    return loader.project_state(("auditlog", "0002_fill_record_roots")).apps


def _forget_roots():
    """As the entries were before the columns existed."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET root_type = '', root_id = '', record_ref = '', "
            "root_country = ''"
        )


def test_the_migration_names_the_record_of_old_entries_and_the_chain_verifies(persona):
    italy, slovenia = persona("it_duty"), persona("sl_duty")
    case = exchange.send_request(
        user=italy,
        subject="Kombi",
        body="Kdo je voznik?",
        urgency="not_urgent",
        recipients=["SI"],
        persons=[{"surname": "Horvat", "given_names": "Ivan", "category": "suspect"}],
    )
    exchange.reply(user=slovenia, leg=case.legs.get(), kind="acknowledgement")
    testing.client_for(slovenia).get(f"/exchange/cases/{case.pk}/")
    report = testing.incident(slovenia, validate_by=persona("sl_supervisor"))
    case.refresh_from_db()
    before = {
        e.seq: (e.root_type, e.root_id, e.record_ref, e.root_country)
        for e in AuditEntry.objects.all()
    }
    assert audit.verify_chain().ok
    _forget_roots()
    assert not AuditEntry.objects.exclude(root_id="").exists()
    fill(_historical_apps(), None)
    after = {
        e.seq: (e.root_type, e.root_id, e.record_ref, e.root_country)
        for e in AuditEntry.objects.all()
    }
    # Every entry about the case, a message or a leg names the case again.
    about_case = [s for s, v in before.items() if v[1] == str(case.pk)]
    assert about_case and all(after[s] == before[s] for s in about_case)
    assert all(after[s][2] == case.reference for s in about_case)
    about_report = [s for s, v in before.items() if v[1] == str(report.pk)]
    assert about_report and all(after[s] == before[s] for s in about_report)
    assert after == before
    result = audit.verify_chain()
    assert result.ok, result.reason
    call_command("verify_audit")
