"""Tool names derived from (provider, resource, singular, method).

The naming follows the published convention for helpdesk tool sets: the five standard
methods read naturally ("get single ... by id"), anything else is `<provider>_<resource>_<method>`.
"""

from __future__ import annotations

STANDARD_METHODS = ("list", "get", "create", "update", "delete")


def tool_name(provider: str, resource: str, singular: str, method: str) -> str:
    if method == "list":
        return f"list_all_{provider}_{resource}"
    if method == "get":
        return f"get_single_{provider}_{singular}_by_id"
    if method == "create":
        return f"create_a_{provider}_{singular}"
    if method == "update":
        return f"update_a_{provider}_{singular}_by_id"
    if method == "delete":
        return f"delete_a_{provider}_{singular}_by_id"
    return f"{provider}_{resource}_{method}"
