"""A node without TROMEJA_AUDIT_KEY (the demo, development) keys its audit
chain with a secret of its own, never with one derived from a public value."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tromeja.core.keyfile import own_secret

ROOT = Path(__file__).resolve().parents[3]


def audit_key_of_a_node(data_dir: Path, **env) -> str:
    """The audit key a fresh node process with this data directory uses."""
    environment = {k: v for k, v in os.environ.items() if k != "TROMEJA_AUDIT_KEY"}
    environment |= {"TROMEJA_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "tromeja.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.AUDIT_CHAIN_KEY)"],
        capture_output=True,
        text=True,
        env=environment | env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_demo_draws_its_own_audit_key_once_and_keeps_it_to_itself(tmp_path):
    first = audit_key_of_a_node(tmp_path / "node-a")
    key_file = tmp_path / "node-a" / "audit" / "development.key"
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) >= 32
    # The same node keeps its key; another node has another.
    assert audit_key_of_a_node(tmp_path / "node-a") == first
    assert audit_key_of_a_node(tmp_path / "node-b") != first
    # Nothing about it follows from the published development secret key.
    assert "development-only-key" not in first


def test_a_configured_audit_key_is_used_as_it_is(tmp_path):
    key = "k" * 40
    assert audit_key_of_a_node(tmp_path, TROMEJA_AUDIT_KEY=key) == key
    assert not (tmp_path / "audit" / "development.key").exists()


def test_this_test_run_is_not_keyed_with_the_public_development_value():
    assert settings.AUDIT_CHAIN_KEY != settings.SECRET_KEY + ":audit"


def test_processes_drawing_at_once_share_one_secret(tmp_path):
    path = tmp_path / "audit" / "development.key"
    values = {own_secret(path) for _ in range(3)}
    assert len(values) == 1
    assert not [p for p in path.parent.iterdir() if p.name != path.name]


def test_a_damaged_key_file_stops_start_up_with_a_clear_message(tmp_path):
    path = tmp_path / "audit" / "development.key"
    path.parent.mkdir(parents=True)
    path.write_text("short\n")
    with pytest.raises(ValueError, match="remove it"):
        own_secret(path)
