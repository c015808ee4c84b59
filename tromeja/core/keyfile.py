"""A node's own secret, made once and kept in its data directory.

The demo and development nodes run without `TROMEJA_AUDIT_KEY`; a key
derived from a value published in the source would let anyone who can write
their database recompute a forged audit chain. So such a node draws a random
key the first time it starts and keeps it in a file only its own user can
read. (Read by the settings: no Django import here.)
"""

import os
import secrets
from pathlib import Path


def own_secret(path: Path) -> str:
    """The secret in `path`, drawn and written first if there is none.
    Several processes starting at once all end up with the same secret."""
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, (secrets.token_urlsafe(48) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        # The complete file appears under its name at once, or not at all
        # when another process was first.
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return _read(path)


def _read(path: Path) -> str:
    value = path.read_text(encoding="utf-8").strip()
    if len(value) < 32:
        raise ValueError(f"{path} holds no usable key; remove it to draw a new one.")
    return value
