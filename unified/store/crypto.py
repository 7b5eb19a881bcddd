"""Encryption of integrated-account credentials at rest (Fernet, several keys for rotation).

The first key encrypts; every key decrypts. Rotating is therefore: put a new key first,
call ``Store.rotate_credentials()``, then drop the old key from the configuration.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from .errors import ConfigurationError, DecryptionError


def generate_key() -> str:
    """A new Fernet key as text, ready for ``UNIFIED_ENCRYPTION_KEYS`` or the key file."""
    return Fernet.generate_key().decode("ascii")


class Cipher:
    """Encrypts with the current key, decrypts with any configured key."""

    def __init__(self, keys: Sequence[str | bytes]) -> None:
        if not keys:
            raise ConfigurationError("no encryption key configured")
        fernets = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key))
            except (ValueError, TypeError):
                # Never echo the key: this message can end up in a log.
                raise ConfigurationError(
                    f"encryption key #{position} is not a valid Fernet key "
                    "(expected 32 url-safe base64-encoded bytes)"
                ) from None
        self._fernets = tuple(fernets)
        self._fernet = MultiFernet(fernets)
        self._key_count = len(fernets)

    @property
    def key_count(self) -> int:
        return self._key_count

    def __repr__(self) -> str:
        return f"Cipher(<{self._key_count} key(s)>)"

    def encrypt(self, plaintext: bytes) -> str:
        return self._fernet.encrypt(plaintext).decode("ascii")

    def decrypt(self, token: str) -> bytes:
        try:
            return self._fernet.decrypt(token.encode("ascii"))
        except (InvalidToken, UnicodeEncodeError):
            raise DecryptionError("stored credentials cannot be decrypted with the configured keys") from None

    def key_position(self, token: str) -> int | None:
        """Which configured key decrypts ``token`` (0 = the current one), None if none does.

        Tells an operator whether rotation is finished, i.e. whether old keys may be dropped.
        """
        try:
            data = token.encode("ascii")
        except UnicodeEncodeError:
            return None
        for position, fernet in enumerate(self._fernets):
            try:
                fernet.decrypt(data)
            except InvalidToken:
                continue
            return position
        return None

    def rotate(self, token: str) -> str:
        """Re-encrypt ``token`` with the current key, keeping its plaintext."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeEncodeError):
            raise DecryptionError("stored credentials cannot be decrypted with the configured keys") from None
