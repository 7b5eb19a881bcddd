"""Unified ticketing schemas, named as the published Truto unified ticketing API names them.

Records are what the mappings must produce; ``*Create``/``*Update`` bodies are what callers
may send (validated before any mapping runs). Ids are strings, times ISO 8601 strings,
related records nested as ``{"id": ...}``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta, Struct

Id = Annotated[str, Meta(min_length=1, description="The record's id in the vendor, as a string.")]
Timestamp = Annotated[str, Meta(description="ISO 8601 date-time.", examples=["2026-01-02T03:04:05.000Z"])]
RemoteData = Annotated[dict[str, Any], Meta(description="The vendor record, untouched.")]
CustomFields = Annotated[dict[str, Any], Meta(description="Vendor custom attributes, by their vendor names.")]


class Record(Struct, kw_only=True, omit_defaults=False):
    pass


class Ref(Record):
    id: Id
    name: str | None = None


class TypedRef(Record):
    id: Id
    name: str | None = None
    type: Literal["user", "contact", "system", "team"] | None = None


class Email(Record):
    email: str
    type: str | None = None


class Phone(Record):
    number: str
    type: str | None = None
    extension: str | None = None


class ContactRef(Record):
    id: Id
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    emails: list[Email] | None = None
    phones: list[Phone] | None = None


TicketStatusName = Literal["open", "pending", "closed", "active", "spam", "resolved", "archived", "deleted",
                           "completed"]


class StatusRef(Record):
    id: Id
    name: TicketStatusName | str | None = None


class Ticket(Record):
    id: Id
    name: str | None = None
    number: str | None = None
    description: str | None = None
    status: StatusRef | None = None
    priority: Ref | None = None
    assignees: list[Ref] | None = None
    team: Ref | None = None
    contact: ContactRef | None = None
    account: Ref | None = None
    created_by: TypedRef | None = None
    tags: list[Ref] | None = None
    ticket_type: Ref | None = None
    due_date: Timestamp | None = None
    completed_at: Timestamp | None = None
    ticket_url: str | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    etag: str | None = None
    custom_fields: CustomFields | None = None
    remote_data: RemoteData | None = None


class Comment(Record):
    id: Id
    ticket: Ref | None = None
    body: str | None = None
    html_body: str | None = None
    author: TypedRef | None = None
    is_private: bool | None = None
    is_internal: bool | None = None
    attachments: list[Ref] | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    etag: str | None = None
    custom_fields: CustomFields | None = None
    remote_data: RemoteData | None = None


class Contact(Record):
    id: Id
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    emails: list[Email] | None = None
    phones: list[Phone] | None = None
    details: str | None = None
    account: Ref | None = None
    is_active: bool | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    etag: str | None = None
    custom_fields: CustomFields | None = None
    remote_data: RemoteData | None = None


class Account(Record):
    id: Id
    name: str | None = None
    domains: list[str] | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    etag: str | None = None
    custom_fields: CustomFields | None = None
    remote_data: RemoteData | None = None


class User(Record):
    id: Id
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    emails: list[Email] | None = None
    is_active: bool | None = None
    team_ids: list[str] | None = None
    avatar: str | None = None
    roles: list[Ref] | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    etag: str | None = None
    remote_data: RemoteData | None = None


class Team(Record):
    id: Id
    name: str | None = None
    description: str | None = None
    users: list[Ref] | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    etag: str | None = None
    remote_data: RemoteData | None = None


class Tag(Record):
    id: Id
    name: str | None = None
    color: str | None = None
    status: Literal["active", "inactive"] | str | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    etag: str | None = None
    remote_data: RemoteData | None = None


class Attachment(Record):
    id: Id
    file_name: str | None = None
    ticket_id: str | None = None
    comment_id: str | None = None
    size: int | None = None
    file_url: str | None = None
    content_type: str | None = None
    uploaded_by: str | None = None
    uploaded_by_type: str | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    etag: str | None = None
    remote_data: RemoteData | None = None


class FieldOption(Record):
    label: str | None = None
    value: Any = None
    description: str | None = None
    is_hidden: bool | None = None


class Field(Record):
    id: Id
    name: str | None = None
    label: str | None = None
    description: str | None = None
    type: str | None = None
    format: str | None = None
    options: list[FieldOption] | None = None
    is_user_defined: bool | None = None
    is_required: bool | None = None
    is_hidden: bool | None = None
    entity_type: str | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    etag: str | None = None
    remote_data: RemoteData | None = None


class TicketPriority(Record):
    id: Id
    name: str | None = None
    description: str | None = None
    etag: str | None = None
    remote_data: RemoteData | None = None


class TicketStatus(Record):
    id: Id
    name: str | None = None
    description: str | None = None
    etag: str | None = None
    remote_data: RemoteData | None = None


# --------------------------------------------------------------------------- request bodies


class Body(Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    remote_data: Annotated[dict[str, Any] | None, Meta(
        description="Extra vendor fields merged into the vendor body as they are.")] = None


class RefIn(Struct, kw_only=True, forbid_unknown_fields=True):
    id: Id


class TicketCreate(Body):
    name: str | None = None
    description: str | None = None
    status: RefIn | None = None
    priority: RefIn | None = None
    assignees: list[RefIn] | None = None
    team: RefIn | None = None
    contact: RefIn | None = None
    tags: list[Annotated[str, Meta(min_length=1, max_length=64)]] | None = None
    custom_fields: CustomFields | None = None


class TicketUpdate(TicketCreate):
    pass


class CommentCreate(Body):
    ticket: RefIn
    body: Annotated[str, Meta(min_length=1, max_length=10240)]
    is_private: bool = False
    author: RefIn | None = None


class EmailIn(Struct, kw_only=True, forbid_unknown_fields=True):
    email: Annotated[str, Meta(pattern=r"^[^@\s]+@[^@\s]+$")]
    type: Literal["home", "work", "other"] | None = None


class PhoneIn(Struct, kw_only=True, forbid_unknown_fields=True):
    number: Annotated[str, Meta(min_length=3)]
    type: Literal["mobile", "home", "work", "fax", "other"] | None = None


class ContactCreate(Body):
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    emails: list[EmailIn] | None = None
    phones: list[PhoneIn] | None = None
    account: RefIn | None = None
    custom_fields: CustomFields | None = None


class ContactUpdate(ContactCreate):
    pass


class AccountCreate(Body):
    name: Annotated[str, Meta(min_length=3, max_length=255)]
    domains: list[str] | None = None
    custom_fields: CustomFields | None = None


class AccountUpdate(Body):
    name: Annotated[str, Meta(min_length=3, max_length=255)] | None = None
    domains: list[str] | None = None
    custom_fields: CustomFields | None = None


class TeamCreate(Body):
    name: Annotated[str, Meta(min_length=1)]
    description: str | None = None
    users: list[RefIn] | None = None


class TeamUpdate(Body):
    name: Annotated[str, Meta(min_length=1)] | None = None
    description: str | None = None
    users: list[RefIn] | None = None


class UserCreate(Body):
    name: Annotated[str, Meta(min_length=1)]
    emails: Annotated[list[EmailIn], Meta(min_length=1)]
    username: str | None = None


class UserUpdate(Body):
    name: str | None = None
    emails: list[EmailIn] | None = None
    username: str | None = None
