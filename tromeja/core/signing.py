"""The node's Ed25519 signing keys: what the node signs (audit exports for
the supervisory authority today; the replication between national nodes
later) names the key by its id, so that keys can be rotated and what an
earlier key signed still verifies against its published public key.

Keys live in the node's data directory (`signing/`, or
`TROMEJA_SIGNING_KEY_DIR`), one file per key, readable only by the node's
user: `ed25519-0001.key`, `ed25519-0002.key`, ... The highest number signs;
the others are kept so that their public keys stay published. Each file
holds a random secret drawn once (core/keyfile.py); the private key is
derived from it. A key id is "ed25519:" and the first 16 hex digits of the
SHA-256 of the raw public key, so anyone holding the public key computes it.
"""

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

from tromeja.core.keyfile import own_secret

ALGORITHM = "Ed25519"
_NAME = re.compile(r"^ed25519-(\d{4,})\.key$")
# Separates what is signed for one purpose from what is signed for another.
_DERIVATION = b"tromeja node signing key v1\n"


def key_dir() -> Path:
    configured = getattr(settings, "TROMEJA_SIGNING_KEY_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "signing"


@dataclass(frozen=True)
class NodeKey:
    number: int
    path: Path
    private: Ed25519PrivateKey

    @property
    def public_bytes(self) -> bytes:
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def public_key(self) -> str:
        """The raw public key in base64."""
        return base64.b64encode(self.public_bytes).decode()

    @property
    def key_id(self) -> str:
        return key_id_of(self.public_bytes)

    @property
    def created_at(self) -> datetime:
        return datetime.fromtimestamp(self.path.stat().st_mtime, UTC)

    @property
    def public_pem(self) -> str:
        return (
            self.private.public_key()
            .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )


def key_id_of(public_key: bytes | str) -> str:
    raw = base64.b64decode(public_key) if isinstance(public_key, str) else public_key
    return "ed25519:" + hashlib.sha256(raw).hexdigest()[:16]


def _load(number: int, path: Path) -> NodeKey:
    seed = hashlib.sha256(_DERIVATION + own_secret(path).encode()).digest()
    return NodeKey(number, path, Ed25519PrivateKey.from_private_bytes(seed))


def all_keys() -> list[NodeKey]:
    """The node's keys, oldest first (none before the first signature)."""
    directory = key_dir()
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        match = _NAME.match(path.name)
        if match:
            found.append(_load(int(match.group(1)), path))
    return sorted(found, key=lambda k: k.number)


def current() -> NodeKey:
    """The key that signs now, drawn the first time the node signs."""
    found = all_keys()
    if found:
        return found[-1]
    return _load(1, key_dir() / "ed25519-0001.key")


def rotate() -> NodeKey:
    """Draws the next key, which signs from now on; earlier keys stay
    published for what they signed."""
    found = all_keys()
    number = found[-1].number + 1 if found else 1
    return _load(number, key_dir() / f"ed25519-{number:04d}.key")


def by_id(key_id: str) -> NodeKey | None:
    return next((k for k in all_keys() if k.key_id == key_id), None)


@dataclass(frozen=True)
class Signature:
    key_id: str
    public_key: str
    value: str  # base64
    algorithm: str = ALGORITHM

    def signed_by(self) -> dict:
        return {"algorithm": self.algorithm, "key_id": self.key_id, "public_key": self.public_key}


def sign(data: bytes) -> Signature:
    key = current()
    value = base64.b64encode(key.private.sign(data)).decode()
    return Signature(key.key_id, key.public_key, value)


def verify(data: bytes, signature: str, public_key: str) -> bool:
    """Whether `signature` (base64) is the signature of `data` by
    `public_key` (base64, raw Ed25519)."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        key.verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
