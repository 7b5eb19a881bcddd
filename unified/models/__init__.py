"""Unified schemas: one msgspec Struct per unified resource, plus create/update bodies.

``REGISTRY`` maps ``(api, resource)`` to its record type and writable bodies; the router,
validation, mappings check and OpenAPI all read it."""

from __future__ import annotations

from dataclasses import dataclass

from unified.models import ticketing as t
from unified.models import user_directory as ud


@dataclass(frozen=True)
class ResourceModel:
    record: type
    create: type | None = None
    update: type | None = None
    description: str = ""


REGISTRY: dict[tuple[str, str], ResourceModel] = {
    ("ticketing", "tickets"): ResourceModel(t.Ticket, t.TicketCreate, t.TicketUpdate,
                                            "Work to be done for a contact (Kustomer: conversations)."),
    ("ticketing", "comments"): ResourceModel(t.Comment, t.CommentCreate, None,
                                             "Public replies and private notes on a ticket."),
    ("ticketing", "contacts"): ResourceModel(t.Contact, t.ContactCreate, t.ContactUpdate,
                                             "External people you support (Kustomer: customers)."),
    ("ticketing", "accounts"): ResourceModel(t.Account, t.AccountCreate, t.AccountUpdate,
                                             "Companies your contacts belong to."),
    ("ticketing", "users"): ResourceModel(t.User, t.UserCreate, t.UserUpdate, "Agents and other helpdesk users."),
    ("ticketing", "teams"): ResourceModel(t.Team, t.TeamCreate, t.TeamUpdate, "Groups of users."),
    ("ticketing", "tags"): ResourceModel(t.Tag, None, None, "Labels on tickets."),
    ("ticketing", "attachments"): ResourceModel(t.Attachment, None, None, "Files on tickets and comments."),
    ("ticketing", "fields"): ResourceModel(t.Field, None, None, "Custom attribute definitions per entity."),
    ("ticketing", "ticket_priorities"): ResourceModel(t.TicketPriority, None, None, "Ticket priority levels."),
    ("ticketing", "ticket_status"): ResourceModel(t.TicketStatus, None, None, "Ticket statuses."),
    ("user-directory", "users"): ResourceModel(ud.DirectoryUser, ud.DirectoryUserCreate, ud.DirectoryUserUpdate,
                                               "People with access to the helpdesk."),
    ("user-directory", "roles"): ResourceModel(ud.Role, None, None, "Roles (permissions) users can hold."),
    ("user-directory", "me"): ResourceModel(ud.DirectoryUser, None, None, "The user the credentials belong to."),
}
