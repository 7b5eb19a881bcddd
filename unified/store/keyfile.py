"""The key file: the zero-configuration home of the encryption keys.

A first run without ``UNIFIED_ENCRYPTION_KEYS`` should just work, yet credentials must
still be encrypted with a key nobody else can read. So we create a key file with mode
0600 and say so on stderr, because losing that file means losing every stored credential.

Format: one Fernet key per line, first line current; blank lines and ``#`` comments are
ignored, so the file can hold old keys during a rotation just like the environment variable.
"""

from __future__ import annotations

import os
import secrets
import stat
import sys
from pathlib import Path

from .crypto import generate_key
from .errors import ConfigurationError

_HEADER = "# unified encryption keys, one per line, the first is current. Keep secret; back up.\n"


def read_key_file(path: Path) -> tuple[str, ...]:
    """Keys listed in ``path``, current first."""
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"cannot read key file {path}: {type(exc).__name__}") from None
    keys = tuple(
        line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    )
    if not keys:
        raise ConfigurationError(f"key file {path} contains no key")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        print(
            f"unified: warning: key file {path} is readable by others (mode {mode:04o}); chmod 600 it",
            file=sys.stderr,
        )
    return keys


def load_or_create_key_file(path: Path) -> tuple[str, ...]:
    """Keys from ``path``, creating the file with one fresh key (mode 0600) if it is missing."""
    if not path.exists():
        _create_key_file(path)
    return read_key_file(path)


def _create_key_file(path: Path) -> None:
    """Write the key to a private temporary file, then link it into place.

    ``os.link`` fails if the target exists, so two instances starting together cannot
    each create a key and silently encrypt with different ones: the loser reads the winner's.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)  # the umask may only remove bits, but be explicit
        os.write(fd, f"{_HEADER}{generate_key()}\n".encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(temporary, path)
    except FileExistsError:
        return
    finally:
        temporary.unlink()
    print(
        f"unified: no encryption key configured; created {path} (mode 0600). "
        "Back it up: stored credentials cannot be decrypted without it.",
        file=sys.stderr,
    )
