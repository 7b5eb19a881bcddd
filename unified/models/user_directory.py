"""Unified user-directory schemas (users, roles, me), named as Truto names them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta

from unified.models.ticketing import Body, EmailIn, Id, Phone, Record, Ref, RemoteData, Timestamp


class DirectoryEmail(Record):
    email: str
    type: str | None = None
    is_primary: bool | None = None


class DirectoryUser(Record):
    id: Id
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    title: str | None = None
    emails: list[DirectoryEmail] | None = None
    phones: list[Phone] | None = None
    status: Literal["active", "inactive", "deleted", "invited"] | str | None = None
    is_email_verified: bool | None = None
    roles: list[Ref] | None = None
    groups: list[Ref] | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    remote_data: RemoteData | None = None


class Role(Record):
    id: Id
    name: str | None = None
    label: str | None = None
    description: str | None = None
    type: str | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    remote_data: RemoteData | None = None


class DirectoryUserCreate(Body):
    name: Annotated[str, Meta(min_length=1)]
    emails: Annotated[list[EmailIn], Meta(min_length=1)]
    username: str | None = None
    roles: list[Any] | None = None


class DirectoryUserUpdate(Body):
    name: str | None = None
    emails: list[EmailIn] | None = None
    username: str | None = None
    status: Literal["active", "inactive"] | None = None
