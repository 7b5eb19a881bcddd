"""Fixtures of tests/app.

The app's HTTP faces in general (``harness``, ``caller``, ``connected``) come from the root
conftest. The unified-API tests (``test_unified_*.py``) share ``uapi``: one SQLite-backed app,
tenant and Kustomer account on the roomy sandbox, defined in ``unified_support.py`` with the
helpers those tests import.
"""

from .unified_support import uapi  # noqa: F401
