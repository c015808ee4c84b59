"""Anchors of the audit chain outside the database.

The chain of HMACs proves that no entry inside the audit trail was changed,
removed or moved, but not that its end is where it was: someone who can
write the database can delete the last entries and set the chain head back.
So the node also writes signed *checkpoints*, {seq, hmac, at, signer,
signature}, one JSON line each, appended (O_APPEND, fsync) to
`AUDIT_CHECKPOINT_DIR/checkpoints.log` and logged on the `tromeja.audit`
logger (the node's log), and `verify_chain()` checks the trail against every
checkpoint: each entry a checkpoint saw must still be there, with the hash it
had.

Checkpoints are written after the commit of an append that crosses a
multiple of `EVERY` entries, or that comes `INTERVAL` seconds after this
process's last one; `INTERVAL` seconds after an append that was not
checkpointed, a timer checkpoints the head, so that the last entries before
a quiet hour are anchored too; and when the node starts (`anchor()`). A
rolled-back append writes none, and the write path never waits for a disk
flush per entry.

The signature is an HMAC with the audit key, so a checkpoint cannot be made
up by someone who can write the data directory but does not hold the key.
A signer is anything with a `name`, `sign(payload) -> str` and
`verify(payload, signature) -> bool`: a node key that partner nodes can check
(Ed25519) plugs in as another signer, and its checkpoints can be exchanged
with them as they are.
"""

import hashlib
import hmac
import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction

logger = logging.getLogger("tromeja.audit")

# A checkpoint at least every EVERY entries, and at least every INTERVAL
# seconds while entries are appended (the contact-point benchmark appends
# about 50 a second: one flush every 20 seconds).
EVERY = 1000
INTERVAL = 300

FILE_NAME = "checkpoints.log"


class HmacSigner:
    """Signs with the node's audit key (`TROMEJA_AUDIT_KEY`)."""

    name = "hmac-sha256"

    def __init__(self, key: bytes):
        self._key = key

    def sign(self, payload: bytes) -> str:
        return hmac.new(self._key, payload, hashlib.sha256).hexdigest()

    def verify(self, payload: bytes, signature: str) -> bool:
        return hmac.compare_digest(self.sign(payload), signature)


def signer():
    """The signer of new checkpoints."""
    return HmacSigner(settings.AUDIT_CHAIN_KEY.encode())


def verifiers() -> dict:
    """Signers whose checkpoints this node can check, by name."""
    own = signer()
    return {own.name: own}


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hmac: str
    at: str
    signer: str
    signature: str
    line: int = 0

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.at)


@dataclass
class Anchors:
    """What the checkpoint file holds."""

    valid: list[Checkpoint] = field(default_factory=list)
    # Line numbers of checkpoints whose signature does not verify.
    forged: list[int] = field(default_factory=list)
    # The last line is cut short (the node stopped while writing it).
    incomplete: bool = False
    exists: bool = False

    @property
    def newest(self) -> Checkpoint | None:
        return max(self.valid, key=lambda c: c.seq, default=None)


def _payload(seq: int, entry_hash: str, at: str) -> bytes:
    return json.dumps(
        {"seq": seq, "hmac": entry_hash, "at": at}, sort_keys=True, separators=(",", ":")
    ).encode()


def path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / FILE_NAME


def write(seq: int, entry_hash: str, *, reason: str, directory=None) -> Checkpoint:
    """Appends one signed checkpoint to the file, flushed to disk, and logs it."""
    at = datetime.now(UTC).isoformat(timespec="seconds")
    sign = signer()
    checkpoint = Checkpoint(
        seq, entry_hash, at, sign.name, sign.sign(_payload(seq, entry_hash, at))
    )
    line = json.dumps(
        {
            "seq": seq,
            "hmac": entry_hash,
            "at": at,
            "signer": sign.name,
            "signature": checkpoint.signature,
        },
        separators=(",", ":"),
    )
    target = Path(directory) / FILE_NAME if directory is not None else path()
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        # One write() per line: concurrent writers' lines do not interleave.
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    # The node's log keeps the count too, should the file itself be cut.
    logger.info(
        "audit checkpoint (%s): the trail holds entry %d, hash %s, at %s",
        reason,
        seq,
        entry_hash,
        at,
    )
    return checkpoint


def read() -> Anchors:
    """Reads and checks every checkpoint in the file."""
    anchors = Anchors()
    try:
        text = path().read_text(encoding="utf-8")
    except FileNotFoundError:
        return anchors
    anchors.exists = True
    known = verifiers()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    elif lines:
        # No newline at the end: the last write did not finish.
        anchors.incomplete = True
        lines.pop()
    for number, raw in enumerate(lines, start=1):
        try:
            data = json.loads(raw)
            seq, entry_hash, at = int(data["seq"]), str(data["hmac"]), str(data["at"])
            name, signature = str(data["signer"]), str(data["signature"])
        except (ValueError, KeyError, TypeError):
            anchors.forged.append(number)
            continue
        verifier = known.get(name)
        if verifier is None or not verifier.verify(_payload(seq, entry_hash, at), signature):
            anchors.forged.append(number)
            continue
        anchors.valid.append(Checkpoint(seq, entry_hash, at, name, signature, number))
    return anchors


def _head() -> tuple[int, str]:
    from tromeja.core.audit import GENESIS
    from tromeja.core.models import AuditChainHead

    head = AuditChainHead.objects.filter(pk=1).values_list("seq", "entry_hash").first()
    return head or (0, GENESIS)


def anchor(*, reason: str) -> Checkpoint | None:
    """Checkpoints the chain head as it is now (at start-up, after a
    verification). Refuses, and says so in the node's log, when the trail no
    longer holds the entry the newest checkpoint saw: anchoring it would
    cover up the loss."""
    from django.db import DatabaseError

    from tromeja.core.models import AuditEntry

    newest = read().newest
    try:
        seq, entry_hash = _head()
        seen = []
        if newest is not None and newest.seq > 0:
            seen = list(
                AuditEntry.objects.filter(seq=newest.seq).values_list("entry_hash", flat=True)
            )
    except DatabaseError as exc:
        # E.g. a node started before its first `migrate`: it serves its error pages.
        logger.error("could not read the audit trail to checkpoint it: %s", exc)
        return None
    if newest is not None and newest.seq > 0 and (seq < newest.seq or seen != [newest.hmac]):
        logger.error(
            "the audit trail no longer holds entry %d seen by the checkpoint of %s: "
            "run `tromeja verify-audit`",
            newest.seq,
            newest.at,
        )
        return None
    try:
        return write(seq, entry_hash, reason=reason)
    except OSError as exc:
        logger.error("could not write an audit checkpoint to %s: %s", path(), exc)
        return None


# The write path: when this process last claimed a checkpoint, the last
# head it checkpointed, and the timer that anchors the end of a burst.
_lock = threading.Lock()
_claimed_at = float("-inf")
_written: tuple[int, str] | None = None
_timer: threading.Timer | None = None
_monotonic = time.monotonic


def after_append(before: int, seq: int, entry_hash: str) -> None:
    """Called by the append with the chain head before and after it, inside
    its transaction: schedules a checkpoint for after the commit when one is
    due, or else makes sure the timer will anchor this entry."""
    global _claimed_at
    now = _monotonic()
    crossed = seq // EVERY > before // EVERY
    with _lock:
        due = crossed or now - _claimed_at >= INTERVAL
        if due:
            _claimed_at = now
        elif _timer is not None:
            return
    if due:
        transaction.on_commit(lambda: _write_quietly(seq, entry_hash, reason="append"))
    else:
        transaction.on_commit(_arm)


def _write_quietly(seq: int, entry_hash: str, *, reason: str, directory=None) -> None:
    # After the commit: a full disk must not turn a committed change into an error.
    global _written
    try:
        write(seq, entry_hash, reason=reason, directory=directory)
    except OSError as exc:
        logger.error("could not write an audit checkpoint: %s", exc)
        return
    with _lock:
        _written = (seq, entry_hash)


def _arm() -> None:
    global _timer
    with _lock:
        if _timer is not None:
            return
        # The directory as it is now: the timer fires in another thread.
        _timer = threading.Timer(INTERVAL, _on_timer, args=(settings.AUDIT_CHECKPOINT_DIR,))
        _timer.daemon = True
        _timer.start()


def disarm() -> None:
    """Cancels a pending timer (a process that stops, or a test that ends
    before its database goes away)."""
    global _timer
    with _lock:
        if _timer is not None:
            _timer.cancel()
            _timer = None


def _on_timer(directory) -> None:
    from django.db import connections

    global _timer, _claimed_at
    with _lock:
        _timer = None
        _claimed_at = _monotonic()
    try:
        seq, entry_hash = _head()
        if (seq, entry_hash) != _written:
            _write_quietly(seq, entry_hash, reason="interval", directory=directory)
    except Exception:
        logger.exception("could not checkpoint the audit trail")
    finally:
        connections.close_all()
