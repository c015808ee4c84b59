"""The audit export for the supervisory authority as signed JSON.

The file is one JSON object: {"payload": {...}, "signature": "...",
"signed_by": {"algorithm": "Ed25519", "key_id": "...", "public_key": "..."}}.
The payload holds the entries with their chain hashes (prev_hash,
entry_hash), the head of the chain when the export was made, the filters
and who asked. What is signed is the SHA-256 of the payload's canonical
serialisation (JSON with sorted keys, no spaces, UTF-8, as
`canonical(payload)` writes it), after the line "tromeja-audit-export/1";
the payload names the key it was signed with, and the key id is derived
from the public key, so neither can be swapped unnoticed. The file is
written as it is read from the database, without holding it in memory.

`tromeja verify-audit-export FILE` checks the signature, the key id and,
where entries follow each other in the chain, that each one's prev_hash is
the previous one's entry_hash.
"""

import hashlib
import json
from dataclasses import dataclass, field

from tromeja.core import signing

FORMAT = "tromeja-audit-export/1"
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(value) -> str:
    return _ENCODER.encode(value)


def _signed_message(digest: bytes) -> bytes:
    return FORMAT.encode() + b"\n" + digest


class SignedWriter:
    """Writes the payload's canonical form while hashing it: the fields
    before "entries" (chain, created_at), the entries one by one, then the
    rest; every key in its sorted place."""

    def __init__(self, handle, *, before: dict, after: dict):
        assert all(k < "entries" for k in before) and all(k > "entries" for k in after)
        self.handle, self.before, self.after = handle, before, after
        self.hash = hashlib.sha256()
        self.count = 0
        self.key = signing.current()

    def _write(self, text: str, *, signed: bool = True):
        data = text.encode()
        if signed:
            self.hash.update(data)
        self.handle.write(data)

    def __enter__(self):
        self._write('{"payload":', signed=False)
        head = canonical(self.before)[:-1]  # without its closing brace
        self._write(head + ("," if self.before else "") + '"entries":[')
        return self

    def add(self, entry: dict):
        self._write(("," if self.count else "") + canonical(entry))
        self.count += 1

    def __exit__(self, kind, value, traceback):
        if kind is not None:
            return False
        after = {**self.after, "key_id": self.key.key_id, "total": self.count}
        tail = canonical(after)[1:]  # without its opening brace
        self._write("]," + tail if after else "]}")
        signature = signing.Signature(
            self.key.key_id,
            self.key.public_key,
            _sign(self.key, _signed_message(self.hash.digest())),
        )
        self._write(
            ',"signature":'
            + canonical(signature.value)
            + ',"signed_by":'
            + canonical(signature.signed_by())
            + "}",
            signed=False,
        )
        return False


def _sign(key, data: bytes) -> str:
    import base64

    return base64.b64encode(key.private.sign(data)).decode()


@dataclass
class Verification:
    ok: bool
    reason: str = ""
    key_id: str = ""
    total: int = 0
    linked: int = 0  # entries whose prev_hash was checked against the one before
    node_key: bool | None = None  # whether the key is one of this node's
    problems: list[str] = field(default_factory=list)


def verify_document(raw: bytes, *, public_key: str | None = None) -> Verification:
    """Checks an export: the signature over the payload, the key id, the
    chain links between consecutive entries. With `public_key` (base64, as
    the node publishes it), the file must be signed by that key."""
    try:
        document = json.loads(raw.decode("utf-8"))
        payload = document["payload"]
        signature = document["signature"]
        signed_by = document["signed_by"]
        key = signed_by["public_key"]
    except (ValueError, KeyError, TypeError):
        return Verification(False, "not-an-export")
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        return Verification(False, "not-an-export")
    result = Verification(False, key_id=str(signed_by.get("key_id", "")))
    if public_key is not None and public_key.strip() != key:
        result.reason = "other-key"
        return result
    try:
        derived = signing.key_id_of(key)
    except ValueError:
        result.reason = "bad-signature"
        return result
    if derived != signed_by.get("key_id") or derived != payload.get("key_id"):
        result.reason = "key-id-mismatch"
        return result
    digest = hashlib.sha256(canonical(payload).encode()).digest()
    if not signing.verify(_signed_message(digest), signature, key):
        result.reason = "bad-signature"
        return result
    entries = payload.get("entries") or []
    if payload.get("total") != len(entries):
        result.reason = "count-mismatch"
        return result
    previous = None
    for entry in entries:
        if previous is not None and entry["seq"] == previous["seq"] + 1:
            result.linked += 1
            if entry["prev_hash"] != previous["entry_hash"]:
                result.problems.append(f"#{entry['seq']}")
        previous = entry
    if result.problems:
        result.reason = "broken-link"
        return result
    result.ok, result.total = True, len(entries)
    result.node_key = signing.by_id(derived) is not None
    return result
