"""The audit trail is append-only and chained (Directive 2016/680 art. 25)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tromeja import testing
from tromeja.core import audit
from tromeja.core.choices import AuditAction
from tromeja.core.models import AppendOnlyError, AuditEntry


@pytest.fixture
def log(db):
    for i in range(10):
        audit.log(AuditAction.CONSULTATION, object_type="notices.notice", object_id=str(i))
    return list(AuditEntry.objects.order_by("seq"))


def run_verify():
    try:
        call_command("verify_audit")
    except CommandError as exc:
        return str(exc)
    return "ok"


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_untouched_log_verifies(log):
    assert audit.verify_chain().ok
    assert run_verify() == "ok"


def test_changing_one_byte_of_one_entry_names_that_entry(log):
    target = log[6]
    changed = target.object_id[:-1] + chr(ord(target.object_id[-1]) + 1)
    raw("UPDATE core_auditentry SET object_id = %s WHERE id = %s", [changed, target.pk])
    result = audit.verify_chain()
    assert not result.ok
    assert result.broken_seq == target.seq
    assert f"entry #{target.seq}" in run_verify()


def test_changing_the_purpose_or_time_is_detected(log):
    raw("UPDATE core_auditentry SET purpose = 'x' WHERE id = %s", [log[2].pk])
    assert audit.verify_chain().broken_seq == log[2].seq


def test_a_deleted_entry_is_detected(log):
    raw("DELETE FROM core_auditentry WHERE id = %s", [log[4].pk])
    result = audit.verify_chain()
    assert not result.ok and result.broken_seq == log[4].seq


def test_swapped_entries_are_detected(log):
    a, b = log[3], log[4]
    raw("UPDATE core_auditentry SET seq = 999999 WHERE id = %s", [a.pk])
    raw("UPDATE core_auditentry SET seq = %s WHERE id = %s", [a.seq, b.pk])
    raw("UPDATE core_auditentry SET seq = %s WHERE id = %s", [b.seq, a.pk])
    result = audit.verify_chain()
    assert not result.ok and result.broken_seq == a.seq


def test_entries_cut_from_the_end_are_detected(log):
    raw("DELETE FROM core_auditentry WHERE id = %s", [log[-1].pk])
    result = audit.verify_chain()
    assert not result.ok and result.reason == "truncated"


def test_a_rewritten_chain_without_the_key_does_not_verify(log, settings):
    settings.AUDIT_CHAIN_KEY = "someone else's key"
    assert not audit.verify_chain().ok


def test_the_application_cannot_change_or_delete_entries(log):
    entry = log[0]
    entry.purpose = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(purpose="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_a_rolled_back_write_leaves_no_gap_in_the_chain(db):
    from django.db import transaction

    audit.log(AuditAction.COLLECTION, object_type="t", object_id="1")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.log(AuditAction.COLLECTION, object_type="t", object_id="2")
        raise RuntimeError
    audit.log(AuditAction.COLLECTION, object_type="t", object_id="3")
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2]
    assert audit.verify_chain().ok


def test_an_erasure_entry_keeps_none_of_the_erased_data(sl_duty):
    from tromeja.notices.services import erase_notice

    record = testing.notice(
        sl_duty,
        title="Lookout IVANENKO",
        body="Oleh IVANENKO, born 1988",
        has_personal_data=True,
        persons_concerned="IVANENKO Oleh",
    )
    record_id = str(record.pk)
    erase_notice(user=sl_duty, notice=record)
    entry = AuditEntry.objects.get(action=AuditAction.ERASURE)
    assert entry.object_id == record_id
    flattened = " ".join(
        str(v) for v in AuditEntry.objects.filter(pk=entry.pk).values().first().values()
    )
    assert "IVANENKO" not in flattened and "1988" not in flattened
    assert audit.verify_chain().ok


def test_the_tromeja_command_runs_verify_audit(log, capsys):
    from tromeja.cli import main

    main(["tromeja", "verify-audit"])
    assert "Audit trail intact" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_large_logs_are_verified_in_parallel_and_breaks_still_named(monkeypatch):
    monkeypatch.setattr(audit, "PARALLEL_FROM", 10)
    events = [
        audit.Event(AuditAction.CONSULTATION, object_type="t", object_id=str(i)) for i in range(41)
    ]
    audit.log_many(events)
    result = audit.verify_chain(workers=2)
    assert result.ok and result.checked == 41
    target = AuditEntry.objects.get(seq=33)
    raw("UPDATE core_auditentry SET purpose = 'x' WHERE id = %s", [target.pk])
    result = audit.verify_chain(workers=2)
    assert not result.ok and result.broken_seq == 33 and result.reason == "altered"
    # A break at the seam between two workers' ranges is found too.
    raw("UPDATE core_auditentry SET purpose = '' WHERE id = %s", [target.pk])
    seam = AuditEntry.objects.get(seq=22)
    raw("UPDATE core_auditentry SET prev_hash = %s WHERE id = %s", ["0" * 64, seam.pk])
    result = audit.verify_chain(workers=2)
    assert not result.ok and result.broken_seq == 22


def test_a_batched_block_appends_its_entries_in_order_at_its_end(db, persona):
    from django.db import transaction

    officer = persona("sl_duty")
    audit.log(AuditAction.CONSULTATION, object_type="notices.notice", object_id="before")
    already = AuditEntry.objects.count()
    with transaction.atomic(), audit.batched():
        assert (
            audit.log(AuditAction.COLLECTION, actor=officer, object_type="x", object_id="1") is None
        )
        audit.log_many(
            [audit.Event(AuditAction.DISCLOSURE, object_type="x", object_id="2")], actor=officer
        )
        audit.log(AuditAction.ALTERATION, object_type="x", object_id="3")
        # Nothing is appended until the block ends.
        assert AuditEntry.objects.count() == already
    entries = AuditEntry.objects.order_by("seq").values_list("object_id", "actor_username")
    assert list(entries)[already - 1 :] == [
        ("before", ""),
        ("1", "sl_duty"),
        ("2", "sl_duty"),
        ("3", ""),
    ]
    assert audit.verify_chain().ok


def test_a_failed_batched_block_logs_nothing(db):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic(), audit.batched():
        audit.log(AuditAction.COLLECTION, object_type="x", object_id="1")
        raise RuntimeError("the change failed")
    assert not AuditEntry.objects.exists()
