"""The audit trail is anchored outside the database: signed checkpoints of its
sequence number and hash, so that entries cut from its end are found even
when the chain head row is set back to match."""

import json
import os
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tromeja.core import audit, checkpoints
from tromeja.core.choices import AuditAction
from tromeja.core.models import AuditEntry


def append(count: int, start: int = 0):
    audit.log_many(
        audit.Event(AuditAction.CONSULTATION, object_type="notices.notice", object_id=str(i))
        for i in range(start, start + count)
    )


@pytest.fixture
def anchored(db):
    """A trail of 20 entries whose head a checkpoint has seen."""
    append(20)
    assert checkpoints.anchor(reason="test") is not None
    return list(AuditEntry.objects.order_by("seq"))


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def cut_after(seq: int):
    """What someone who can write the database does: delete the tail and set
    the head back to the last entry left, so the chain itself looks whole."""
    raw("DELETE FROM core_auditentry WHERE seq > %s", [seq])
    if seq == 0:
        raw("DELETE FROM core_auditchainhead")
        return
    last = AuditEntry.objects.get(seq=seq)
    raw("UPDATE core_auditchainhead SET seq = %s, entry_hash = %s", [seq, last.entry_hash])


def run_verify() -> str:
    try:
        call_command("verify_audit")
    except CommandError as exc:
        return str(exc)
    return "ok"


@pytest.mark.parametrize(("kept", "what"), [(15, "last five"), (10, "second half"), (0, "all")])
def test_entries_cut_from_the_end_with_the_head_set_back_are_detected(anchored, kept, what):
    cut_after(kept)
    result = audit.verify_chain()
    assert not result.ok, what
    assert result.reason == "cut-after-checkpoint"
    assert result.broken_seq == kept + 1
    assert result.checkpoint.seq == 20
    message = run_verify()
    assert "checkpoint of" in message and "saw entry 20" in message
    assert "entries were removed" in message


def test_a_tail_cut_and_then_continued_is_detected(anchored):
    cut_after(15)
    append(10, start=100)  # the node keeps writing from the set-back head
    assert AuditEntry.objects.order_by("-seq").first().seq == 25
    result = audit.verify_chain()
    assert not result.ok and result.reason == "differs-from-checkpoint"
    assert result.checkpoint.seq == 20
    assert "entry #20 is not the entry" in run_verify()


def test_an_intact_chain_still_verifies_and_so_do_entries_after_the_newest_checkpoint(anchored):
    assert audit.verify_chain().ok
    append(7, start=50)
    result = audit.verify_chain()
    assert result.ok and result.checked == 27 and result.checkpoint.seq == 20
    assert run_verify() == "ok"


def test_verify_audit_anchors_what_it_verified(anchored, capsys):
    append(5, start=50)
    call_command("verify_audit")
    assert max(c.seq for c in checkpoints.read().valid) == 25
    out = capsys.readouterr().out
    assert "Audit trail intact: 25 entries" in out and "entry 20" in out


def test_a_node_without_checkpoints_verifies_and_writes_its_first(db, capsys):
    append(3)
    assert not checkpoints.path().exists()
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "No checkpoint" in out
    assert [c.seq for c in checkpoints.read().valid] == [3]


def test_a_forged_checkpoint_fails_verification(anchored):
    line = json.loads(checkpoints.path().read_text().splitlines()[-1])
    line["seq"] = 5000
    with checkpoints.path().open("a") as handle:
        handle.write(json.dumps(line) + "\n")
    result = audit.verify_chain()
    assert not result.ok and result.reason == "forged-checkpoint"
    assert "line 2" in run_verify()


def test_an_incomplete_last_line_is_reported_but_does_not_hide_the_others(anchored):
    with checkpoints.path().open("a") as handle:
        handle.write('{"seq": 3')
    assert checkpoints.read().incomplete
    cut_after(10)
    assert audit.verify_chain().reason == "cut-after-checkpoint"


def test_the_checkpoint_file_is_the_nodes_alone_and_signed(anchored):
    mode = stat.S_IMODE(os.stat(checkpoints.path()).st_mode)
    assert mode == 0o600
    [checkpoint] = checkpoints.read().valid
    assert checkpoint.seq == 20 and checkpoint.hmac == anchored[-1].entry_hash
    assert checkpoint.signer == "hmac-sha256" and len(checkpoint.signature) == 64


def test_checkpoints_are_logged_to_the_nodes_log_too(db, caplog):
    append(2)
    with caplog.at_level("INFO", logger="tromeja.audit"):
        checkpoints.anchor(reason="start-up")
    assert "audit checkpoint" in caplog.text and "entry 2" in caplog.text


def test_the_write_path_checkpoints_every_so_many_entries_after_the_commit(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(checkpoints, "EVERY", 10)
    monkeypatch.setattr(checkpoints, "INTERVAL", 3600)
    monkeypatch.setattr(checkpoints, "_claimed_at", 0.0)
    monkeypatch.setattr(checkpoints, "_monotonic", lambda: 1.0)
    armed = []
    monkeypatch.setattr(checkpoints, "_arm", lambda: armed.append(1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for i in range(25):
            audit.log(AuditAction.CONSULTATION, object_type="t", object_id=str(i))
    # Nothing is written before the commit, and not once per entry.
    assert not checkpoints.path().exists()
    for callback in callbacks:
        callback()
    assert [c.seq for c in checkpoints.read().valid] == [10, 20]
    assert armed  # the timer will anchor entries 21 to 25


def test_the_write_path_checkpoints_at_least_every_few_minutes(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    clock = [1000.0]
    monkeypatch.setattr(checkpoints, "EVERY", 10_000)
    monkeypatch.setattr(checkpoints, "_monotonic", lambda: clock[0])
    monkeypatch.setattr(checkpoints, "_claimed_at", clock[0])
    monkeypatch.setattr(checkpoints, "_arm", lambda: None)
    with django_capture_on_commit_callbacks(execute=True):
        audit.log(AuditAction.CONSULTATION, object_type="t", object_id="1")
    assert not checkpoints.path().exists()
    clock[0] += checkpoints.INTERVAL + 1
    with django_capture_on_commit_callbacks(execute=True):
        audit.log(AuditAction.CONSULTATION, object_type="t", object_id="2")
    assert [c.seq for c in checkpoints.read().valid] == [2]


def test_a_rolled_back_append_leaves_no_checkpoint(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import transaction

    monkeypatch.setattr(checkpoints, "EVERY", 1)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        audit.log(AuditAction.CONSULTATION, object_type="t", object_id="1")
        raise RuntimeError
    assert not callbacks and not checkpoints.path().exists()


def test_start_up_refuses_to_anchor_a_trail_shorter_than_its_checkpoint(anchored, caplog):
    cut_after(12)
    with caplog.at_level("ERROR", logger="tromeja.audit"):
        assert checkpoints.anchor(reason="start-up") is None
    assert "verify-audit" in caplog.text
    assert [c.seq for c in checkpoints.read().valid] == [20]


@pytest.mark.django_db(transaction=True)
def test_committed_appends_are_checkpointed_for_real(monkeypatch):
    monkeypatch.setattr(checkpoints, "EVERY", 5)
    for i in range(12):
        audit.log(AuditAction.CONSULTATION, object_type="t", object_id=str(i))
    seen = [c.seq for c in checkpoints.read().valid]
    assert 5 in seen and 10 in seen and len(seen) <= 3
    cut_after(7)
    assert audit.verify_chain().reason == "cut-after-checkpoint"


@pytest.mark.django_db(transaction=True)
def test_the_end_of_a_burst_is_anchored_when_the_node_falls_quiet(monkeypatch):
    import time

    monkeypatch.setattr(checkpoints, "EVERY", 10_000)
    monkeypatch.setattr(checkpoints, "INTERVAL", 1.0)
    monkeypatch.setattr(checkpoints, "_claimed_at", checkpoints._monotonic())
    monkeypatch.setattr(checkpoints, "_timer", None)
    for i in range(3):
        audit.log(AuditAction.CONSULTATION, object_type="t", object_id=str(i))
    assert not checkpoints.path().exists()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not checkpoints.read().valid:
        time.sleep(0.05)
    assert [c.seq for c in checkpoints.read().valid] == [3]  # by the timer
    cut_after(2)
    assert audit.verify_chain().reason == "cut-after-checkpoint"


def test_a_node_whose_database_is_not_ready_starts_and_says_why_it_did_not_checkpoint(
    db, monkeypatch, caplog
):
    from django.db import ProgrammingError

    def no_table():
        raise ProgrammingError('relation "core_auditchainhead" does not exist')

    monkeypatch.setattr(checkpoints, "_head", no_table)
    with caplog.at_level("ERROR", logger="tromeja.audit"):
        assert checkpoints.anchor(reason="start-up") is None
    assert "core_auditchainhead" in caplog.text
