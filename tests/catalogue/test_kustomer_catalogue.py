"""Shape checks of the Kustomer catalogue that the loader itself does not enforce."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from unified.catalogue.loader import Catalogue, CatalogueOperation, load_catalogue

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(PROJECT_ROOT / "providers" / "kustomer")


@pytest.fixture(scope="module")
def ops(catalogue: Catalogue) -> dict[str, CatalogueOperation]:
    return catalogue.operations


def accepts(schema: dict, instance: object) -> bool:
    return jsonschema.Draft202012Validator(schema).is_valid(instance)


# ------------------------------------------------------------------------------ paths


@pytest.mark.parametrize(
    ("tool", "http", "path"),
    [
        ("kustomer_customers_using_email", "GET", "/v1/customers/email={email}"),
        ("kustomer_customers_using_phone_number", "GET", "/v1/customers/phone={phone}"),
        ("kustomer_customers_using_external_id", "GET", "/v1/customers/externalId={externalId}"),
        ("kustomer_conversations_using_external_id", "GET", "/v1/conversations/externalId={externalId}"),
        ("kustomer_messages_message_using_external_id", "GET", "/v1/messages/externalid={externalId}"),
        ("kustomer_custom_objects_using_external_id", "GET", "/v1/klasses/{name}/externalId={externalId}"),
        ("list_all_kustomer_me", "GET", "/v1/users/current"),
        ("kustomer_messages_redact", "POST", "/v1/messages/{id}/redactions"),
        ("create_a_kustomer_conversation_tag", "POST", "/v1/conversations/{id}/tags"),
        ("delete_a_kustomer_conversation_tag_by_id", "DELETE", "/v1/conversations/{id}/tags"),
        ("create_a_kustomer_customer_unmasking_window", "POST", "/v1/customers/{id}/unmasking-windows"),
        ("delete_a_kustomer_customer_unmasking_window_by_id", "DELETE", "/v1/customers/{id}/unmasking-windows"),
        ("list_all_kustomer_custom_attributes", "GET", "/v1/metadata/{resource}"),
        ("update_a_kustomer_custom_attribute_by_id", "PUT", "/v1/metadata/{resource}"),
        ("get_single_kustomer_conversation_time_by_id", "GET", "/v1/conversations/times/{ids}"),
        ("list_all_kustomer_search_conversations", "POST", "/v1/customers/search"),
        ("kustomer_search_customers_search", "POST", "/v1/customers/search"),
        ("kustomer_search_customers_search_archive_customers", "POST", "/v1/customers/archive/search"),
        ("list_all_kustomer_default_schedules", "GET", "/v1/schedules/default"),
        ("get_single_kustomer_message_attachment_by_id", "GET", "/v1/messages/{message_id}/attachments/{id}"),
    ],
)
def test_kustomer_specific_paths(ops, tool: str, http: str, path: str) -> None:
    op = ops[tool]
    assert (op.http, op.path.template) == (http, path)


def test_paths_are_v1_except_the_file_download(ops) -> None:
    external = {name for name, op in ops.items() if op.external_url}
    assert external == {"kustomer_conversation_attachments_download"}
    for name, op in ops.items():
        if op.external_url:
            assert op.path.template == "{url}" and op.http == "GET"
            assert op.path_params["url"].get("format") == "uri"
        else:
            assert op.path.template.startswith("/v1/"), name


def test_every_placeholder_has_a_described_schema(ops) -> None:
    undocumented = [
        f"{name}:{param}"
        for name, op in ops.items()
        for param in op.path.params
        if not op.path_params.get(param, {}).get("description")
    ]
    assert undocumented == []


def test_placeholders_that_are_not_the_record_id_say_so(ops) -> None:
    tag_delete = ops["delete_a_kustomer_conversation_tag_by_id"].path_params["id"]["description"].lower()
    assert "conversation" in tag_delete
    window = ops["delete_a_kustomer_customer_unmasking_window_by_id"].path_params["id"]["description"].lower()
    assert "customer" in window
    resource = ops["update_a_kustomer_custom_attribute_by_id"].path_params["resource"]
    for good in ("company", "conversation", "customer", "message", "kobject.order"):
        assert accepts(resource, good), good
    for bad in ("ticket", "kobject.", "customers"):
        assert not accepts(resource, bad), bad


# ------------------------------------------------------------------------ access, paging


READ_ONLY_POSTS = {
    "list_all_kustomer_search_conversations",
    "kustomer_search_customers_search",
    "kustomer_search_customers_search_archive_customers",
}


def test_access_follows_the_verb(ops) -> None:
    for name, op in ops.items():
        if op.http == "GET" or name in READ_ONLY_POSTS:
            assert op.access == "read", name
        else:
            assert op.access == "write", name
        assert op.access in op.tags, name


UNPAGED_LISTS = {"list_all_kustomer_me", "list_all_kustomer_default_schedules", "list_all_kustomer_custom_attributes"}


def test_lists_page(ops, catalogue: Catalogue) -> None:
    styles = catalogue.provider.pagination
    for name, op in ops.items():
        if op.method != "list":
            continue
        if name in UNPAGED_LISTS:
            assert op.pagination is None, name
        else:
            assert op.pagination is not None, name
            assert op.pagination.records == "data" and op.pagination.next_link == "links.next"
    assert ops["list_all_kustomer_conversations"].pagination.max_size == styles["page"].max_size == 100
    for name in ("list_all_kustomer_users", "list_all_kustomer_teams"):
        assert ops[name].pagination.max_size == 500
    audit = ops["list_all_kustomer_audit_logs"].pagination
    assert audit.style == "cursor_link" and audit.size_param == "count"
    assert ops["list_all_kustomer_conversation_times"].pagination.max_size == 1000
    for name in READ_ONLY_POSTS:
        assert ops[name].pagination.max_pages == 100, name


def test_list_queries_leave_paging_to_the_engine(ops) -> None:
    for name, op in ops.items():
        if op.pagination is not None:
            paging = {op.pagination.size_param, op.pagination.page_param, *op.pagination.cursor_params} - {""}
            assert not paging & set(op.query), name


# ------------------------------------------------------------------------------ status


@pytest.mark.parametrize(
    ("tool", "status"),
    [
        ("create_a_kustomer_conversation", 201),
        ("create_a_kustomer_customer", 201),
        ("create_a_kustomer_message", 201),
        ("create_a_kustomer_note", 201),
        ("create_a_kustomer_company", 201),
        ("create_a_kustomer_custom_object", 201),
        ("create_a_kustomer_attachment", 201),
        ("create_a_kustomer_media", 201),
        ("create_a_kustomer_brand", 201),
        ("create_a_kustomer_customer_merge", 201),
        ("create_a_kustomer_customer_unmasking_window", 201),
        ("create_a_kustomer_tracking_identity", 201),
        ("create_a_kustomer_identity_event", 201),
        ("kustomer_customers_bulk_create", 201),
        ("kustomer_messages_redact", 201),
        ("create_a_kustomer_tracking_event", 204),
        ("delete_a_kustomer_conversation_by_id", 204),
        ("delete_a_kustomer_customer_by_id", 204),
        ("delete_a_kustomer_note_by_id", 204),
        ("delete_a_kustomer_draft_by_id", 204),
        ("delete_a_kustomer_klass_by_id", 204),
        ("delete_a_kustomer_custom_object_by_id", 204),
        ("delete_a_kustomer_spam_sender_by_id", 204),
        ("delete_a_kustomer_draft_attachment_by_id", 204),
        ("delete_a_kustomer_forward_attachment_by_id", 204),
        ("delete_a_kustomer_customer_unmasking_window_by_id", 204),
        ("delete_a_kustomer_team_by_id", 204),
        ("delete_a_kustomer_schedule_by_id", 200),
        ("update_a_kustomer_conversation_by_id", 200),
        ("list_all_kustomer_conversations", 200),
    ],
)
def test_success_status(ops, tool: str, status: int) -> None:
    assert ops[tool].status == status


# ------------------------------------------------------------------------------ bodies


def test_bulk_bodies_are_arrays_of_at_most_100(ops) -> None:
    bulk = [op for op in ops.values() if op.method.startswith("bulk_")]
    assert len(bulk) == 14
    for op in bulk:
        if op.method == "bulk_delete":
            assert op.body is None and op.query_required == ("ids",), op.tool_name
            continue
        assert op.body["type"] == "array" and op.body["maxItems"] == 100, op.tool_name
        assert not accepts(op.body, [{}] * 101), op.tool_name
        if op.method == "bulk_update":
            assert "id" in (op.body["items"].get("required") or op.body["items"]["oneOf"][0]["required"])


def test_tag_bodies_are_bare_arrays_of_names(ops) -> None:
    for name in ("create_a_kustomer_conversation_tag", "delete_a_kustomer_conversation_tag_by_id"):
        body = ops[name].body
        assert body["type"] == "array"
        assert accepts(body, ["vip", "billing/refund"])
        assert not accepts(body, {"tags": ["vip"]})
        assert not accepts(body, ["x" * 65])
        assert not accepts(body, [f"t{i}" for i in range(21)])


def test_redaction_needs_something_to_redact(ops) -> None:
    body = ops["kustomer_messages_redact"].body
    assert accepts(body, {"preview": "[redacted]"})
    assert accepts(body, {"attachments": ["5f0c4d2a9b1e8a0012345678"]})
    assert not accepts(body, {})
    assert not accepts(body, {"attachments": ["5f0c4d2a9b1e8a0012345678"] * 11})


def test_required_fields_of_key_creates(ops) -> None:
    assert ops["create_a_kustomer_conversation"].body["required"] == ["customer"]
    assert set(ops["create_a_kustomer_message"].body["required"]) == {"channel", "app", "direction"}
    assert ops["create_a_kustomer_company"].body["required"] == ["name"]
    assert set(ops["create_a_kustomer_user"].body["required"]) == {"name", "email"}
    assert set(ops["create_a_kustomer_customer_merge"].body["required"]) == {"source", "target"}
    assert ops["create_a_kustomer_customer_unmasking_window"].body is None


def test_custom_attributes_are_typed_by_suffix(ops) -> None:
    body = ops["create_a_kustomer_customer"].body
    assert accepts(body, {"name": "Ada", "custom": {"tierStr": "gold", "ordersNum": 3, "vipBool": True}})
    assert not accepts(body, {"custom": {"ordersNum": "three"}})
    assert not accepts(body, {"custom": {"tierStr": "x" * 1025}})


DRAFT_CHANNELS = {
    "email_drafts": "email",
    "customer_chat_drafts": "chat",
    "customer_facebook_drafts": "facebook",
    "customer_instagram_drafts": "instagram",
    "customer_note_drafts": "note",
    "customer_sms_drafts": "sms",
    "customer_twitter_dm_drafts": "twitter-dm",
    "customer_twitter_tweet_drafts": "twitter-tweet",
    "customer_whatsapp_basic_drafts": "whatsapp",
    "customer_whatsapp_interactive_drafts": "whatsapp",
}
BODY_LIMITS = {"email": 10240, "chat": 1024, "facebook": 2000, "instagram": 1000, "note": 10240, "sms": 1600,
               "twitter-dm": 10000, "twitter-tweet": 280}


def draft_ops(catalogue: Catalogue, method: str) -> dict[str, CatalogueOperation]:
    resources = catalogue.resources()
    return {res: resources[res][method] for res in DRAFT_CHANNELS if method in resources[res]}


def test_each_channel_draft_fixes_its_channel(catalogue: Catalogue) -> None:
    creates = draft_ops(catalogue, "create")
    updates = draft_ops(catalogue, "update")
    assert len(creates) == 10 and len(updates) == 9
    for res, op in [*creates.items(), *updates.items()]:
        channel = op.body["properties"]["channel"]
        fixed = channel.get("const", (channel.get("enum") or [None, None])[0] if len(channel.get("enum", [])) == 1 else None)
        assert fixed == DRAFT_CHANNELS[res], res
        assert "channel" in op.body["required"], res
        assert op.body.get("type") == "object" and "oneOf" not in op.body, res
    for op in creates.values():
        assert (op.http, op.path.template) == ("POST", "/v1/customers/{id}/drafts")
    for op in updates.values():
        assert (op.http, op.path.template) == ("PUT", "/v1/drafts/{id}")


def test_draft_body_limits_follow_the_channel(catalogue: Catalogue) -> None:
    for res, op in draft_ops(catalogue, "create").items():
        channel = DRAFT_CHANNELS[res]
        if channel in BODY_LIMITS:
            limit = BODY_LIMITS[channel]
            assert op.body["properties"]["body"]["maxLength"] == limit, res
            assert not accepts(op.body, {"channel": channel, "body": "x" * (limit + 1)}), res


SAMPLE_DRAFTS = {
    "email_drafts": {"channel": "email", "to": {"email": "ada@example.com"}, "subject": "Hi", "body": "Hello"},
    "customer_chat_drafts": {"channel": "chat", "body": "Hello"},
    "customer_facebook_drafts": {"channel": "facebook", "body": "Hello"},
    "customer_instagram_drafts": {"channel": "instagram", "body": "Hello"},
    "customer_note_drafts": {"channel": "note", "body": "Internal"},
    "customer_sms_drafts": {"channel": "sms", "app": "twilio", "to": "+15555550123", "body": "Hello"},
    "customer_twitter_dm_drafts": {"channel": "twitter-dm", "body": "Hello"},
    "customer_twitter_tweet_drafts": {"channel": "twitter-tweet", "body": "Hello"},
    "customer_whatsapp_basic_drafts": {"channel": "whatsapp", "app": "twilio_whatsapp", "body": "Hello"},
    "customer_whatsapp_interactive_drafts": {
        "channel": "whatsapp",
        "app": "whatsapp",
        "meta": {"interactive": {"type": "button", "body": {"text": "Pick one"},
                                 "action": {"buttons": [{"type": "reply", "reply": {"id": "y", "title": "Yes"}}]}}},
    },
}


def test_a_draft_body_matches_only_its_own_channel_tool(catalogue: Catalogue) -> None:
    # Every channel's tool posts to the same route, so the body alone must tell them apart.
    creates = draft_ops(catalogue, "create")
    for res, sample in SAMPLE_DRAFTS.items():
        matching = sorted(r for r, op in creates.items() if accepts(op.body, sample))
        assert matching == [res], (res, matching)


def test_conversation_search_is_fixed_to_conversations(ops) -> None:
    body = ops["list_all_kustomer_search_conversations"].body
    assert body["properties"]["queryContext"]["const"] == "conversation"
    assert accepts(body, {"queryContext": "conversation", "and": [{"conversation_status": {"equals": "open"}}]})
    assert not accepts(body, {"queryContext": "customer"})


def test_descriptions_are_sentences(ops) -> None:
    for name, op in ops.items():
        assert len(op.description) >= 25 and op.description.endswith("."), name
