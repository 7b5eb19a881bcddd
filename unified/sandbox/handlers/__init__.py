"""Sandbox handlers, one module per resource domain, registered by tool name."""

from unified.sandbox.handlers import (  # noqa: F401  (importing registers the handlers)
    activity,
    bulk,
    conversations,
    customers,
    drafts,
    files,
    messages,
    objects,
    org,
    search,
)
from unified.sandbox.handlers.common import HANDLERS
from unified.sandbox.handlers.files import FILE_ROUTE
from unified.sandbox.handlers.objects import choose_klass_route

# Route shapes several catalogue operations share, and how to tell them apart.
CHOOSERS = {"/v1/klasses/{}": choose_klass_route}

__all__ = ["CHOOSERS", "FILE_ROUTE", "HANDLERS"]
