"""An import writes its rows in short blocks, unseen until the last block is
in, then shows them all at once: the node's other writers wait a block at
most (on the embedded default every writer waits for the one that writes),
and the file is still imported whole or not at all."""

import pytest
from django.db import connection

from tromeja.core.choices import AuditAction, JobStatus
from tromeja.core.models import AuditEntry, Job
from tromeja.incidents import imports, mapcells, services
from tromeja.incidents.choices import Status
from tromeja.incidents.models import EntityRef, Incident, MapCell
from tromeja.incidents.tests.test_imports import csv_bytes, row


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(services, "STAGE_BLOCK", 4)


def _import(user, n, *, submit=False):
    job = imports.request_import(
        user=user,
        data=csv_bytes([row(i) for i in range(n)]),
        file_name="r.csv",
        mode="all",
        submit=submit,
    )
    return imports.run_import(job.pk)


def test_between_blocks_no_transaction_is_open_and_nobody_sees_the_rows(
    persona, small_blocks, monkeypatch
):
    importer, colleague = persona("sl_border"), persona("sl_supervisor")
    seen = []
    staged = services.stage_new_incidents
    # The test itself runs in a transaction; the import must add none of its
    # own between blocks.
    depth = len(connection.atomic_blocks)

    def watching(**kwargs):
        progress = kwargs["progress"]
        step = progress.step

        def check(done):
            # Between two blocks: the write lock is free for other writers,
            # and what is written so far exists for nobody, not even the importer.
            seen.append(
                (
                    done,
                    len(connection.atomic_blocks) > depth,
                    Incident.objects.filter(status=Status.IMPORTING).count(),
                    Incident.objects.restrict(importer).count(),
                    Incident.objects.restrict(colleague).count(),
                )
            )
            step(done)

        progress.step = check
        return staged(**kwargs)

    monkeypatch.setattr(services, "stage_new_incidents", watching)
    job = _import(importer, 10)
    assert job.status == JobStatus.DONE, job.result
    assert [s[0] for s in seen] == [4, 8, 10]
    assert all(not in_transaction for _d, in_transaction, *_ in seen)
    assert [s[2] for s in seen] == [4, 8, 10]
    assert all(mine == 0 and theirs == 0 for *_, mine, theirs in seen)
    # Then all at once: ten drafts of the importer, nothing left staged.
    assert Incident.objects.restrict(importer).count() == 10
    assert not Incident.objects.filter(status=Status.IMPORTING).exists()
    assert set(Incident.objects.values_list("status", flat=True)) == {Status.DRAFT}


def test_a_block_that_fails_leaves_nothing_behind(persona, small_blocks, monkeypatch):
    importer = persona("sl_border")
    written = services._write_new
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return written(*args, **kwargs)

    monkeypatch.setattr(services, "_write_new", failing)
    with pytest.raises(OSError):
        _import(importer, 10)
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert not Incident.objects.exists()
    assert not EntityRef.objects.exists()
    # The eight reports written in two blocks were collected, then erased.
    collected = AuditEntry.objects.filter(
        action=AuditAction.COLLECTION, object_type="incidents.incident"
    )
    erased = AuditEntry.objects.filter(action=AuditAction.ERASURE, object_type="incidents.incident")
    assert collected.count() == erased.count() == 8
    assert all(e.detail == {"import": "not finished"} for e in erased)


def test_a_retry_removes_what_a_killed_attempt_staged_and_imports_each_row_once(
    persona, small_blocks
):
    importer = persona("sl_border")
    job = imports.request_import(
        user=importer,
        data=csv_bytes([row(i) for i in range(10)]),
        file_name="r.csv",
        mode="all",
        submit=False,
    )
    # An earlier attempt whose worker died after two blocks.
    prepared = [
        services.prepare_incident(user=importer, **{"type": "irregular_crossing", **_fields(i)})
        for i in range(8)
    ]
    services.stage_new_incidents(user=importer, prepared=prepared, job=job)
    assert Incident.objects.filter(status=Status.IMPORTING).count() == 8
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)
    job = imports.run_import(job.pk)
    assert job.status == JobStatus.DONE, job.result
    assert Incident.objects.count() == 10
    assert not Incident.objects.filter(status=Status.IMPORTING).exists()


def test_submitted_imports_reach_the_map_counts_only_when_published(
    persona, small_blocks, monkeypatch
):
    importer = persona("sl_border")
    totals = []
    publish = services.publish_staged

    def watching(**kwargs):
        totals.append(sum(MapCell.objects.values_list("total", flat=True)))
        return publish(**kwargs)

    monkeypatch.setattr(services, "publish_staged", watching)
    job = _import(importer, 10, submit=True)
    assert job.status == JobStatus.DONE, job.result
    assert totals == [0]
    assert set(Incident.objects.values_list("status", flat=True)) == {Status.SUBMITTED}
    counted = mapcells.contributions()
    assert sum(c[0] for key, c in counted.items() if key[0] == 2) > 0
    per_level = sum(MapCell.objects.filter(level=2).values_list("total", flat=True))
    assert per_level == 10


def _fields(i):
    from datetime import timedelta

    from django.utils import timezone

    from tromeja import testing

    at = timezone.now() - timedelta(days=2, minutes=i)
    return {
        "occurred_at": at,
        "aware_at": at + timedelta(minutes=30),
        "latitude": testing.NEAR_OBREZJE[0],
        "longitude": testing.NEAR_OBREZJE[1],
        "detection_method": "surveillance",
        "transport": "on_foot",
        "impact_level": "low",
        "confidence": "confirmed",
        "persons_total": 0,
        "source_reliability": "A",
        "information_accuracy": "1",
    }
