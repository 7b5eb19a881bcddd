"""The state every repository needs. ``Store`` combines the repositories over one instance."""

from __future__ import annotations

from .crypto import Cipher
from .db import Database


class Repository:
    def __init__(self, database: Database, cipher: Cipher) -> None:
        self._db = database
        self._cipher = cipher

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._db!r})"
