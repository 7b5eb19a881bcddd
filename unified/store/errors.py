"""Exceptions raised by the store.

One base class so callers (the HTTP layer, the CLI) can map every store failure to a
response with one ``except``. Messages name ids and fields but never values that could
be secret: they end up in logs and problem-details bodies.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class of every error the store raises on purpose."""


class NotFound(StoreError):
    """The record does not exist, or belongs to another tenant (the two are indistinguishable)."""


class Conflict(StoreError):
    """The write clashes with the current state (a concurrent change, a duplicate)."""


class InvalidInput(StoreError, ValueError):
    """An argument is malformed; nothing was written."""


class ConfigurationError(StoreError):
    """The database URL or the encryption keys are unusable."""


class DecryptionError(StoreError):
    """Stored credentials cannot be decrypted with the configured keys.

    Usually a key was removed from ``UNIFIED_ENCRYPTION_KEYS`` before rotation finished.
    """
