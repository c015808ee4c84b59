"""The node's Ed25519 signing keys: drawn once, named by an id derived from
the public key, rotated without losing what earlier keys signed."""

import base64
import os
import stat

import pytest

from tromeja.core import signing


@pytest.fixture(autouse=True)
def key_dir(settings, tmp_path):
    settings.TROMEJA_SIGNING_KEY_DIR = tmp_path / "signing"
    return settings.TROMEJA_SIGNING_KEY_DIR


def test_the_first_signature_draws_a_key_kept_for_the_node_only(key_dir):
    assert signing.all_keys() == []
    signature = signing.sign(b"hello")
    (path,) = key_dir.iterdir()
    assert path.name == "ed25519-0001.key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert signature.key_id == signing.current().key_id
    assert signing.verify(b"hello", signature.value, signature.public_key)
    # The same key on the next start.
    assert signing.sign(b"hello").value == signature.value


def test_the_key_id_is_derived_from_the_public_key():
    key = signing.current()
    assert key.key_id.startswith("ed25519:") and len(key.key_id) == len("ed25519:") + 16
    assert signing.key_id_of(key.public_key) == key.key_id
    assert len(base64.b64decode(key.public_key)) == 32


def test_a_changed_message_or_signature_or_key_does_not_verify():
    signature = signing.sign(b"entries")
    assert not signing.verify(b"entrieS", signature.value, signature.public_key)
    raw = bytearray(base64.b64decode(signature.value))
    raw[0] ^= 1
    assert not signing.verify(b"entries", base64.b64encode(raw).decode(), signature.public_key)
    other = signing.rotate()
    assert not signing.verify(b"entries", signature.value, other.public_key)
    assert not signing.verify(b"entries", "not base64!", signature.public_key)
    assert not signing.verify(b"entries", signature.value, "AAAA")


def test_rotation_signs_with_the_new_key_and_keeps_the_old_one_published():
    first = signing.sign(b"x")
    second_key = signing.rotate()
    second = signing.sign(b"x")
    assert second.key_id == second_key.key_id != first.key_id
    assert [k.key_id for k in signing.all_keys()] == [first.key_id, second.key_id]
    assert signing.by_id(first.key_id).public_key == first.public_key
    assert signing.verify(b"x", first.value, signing.by_id(first.key_id).public_key)
