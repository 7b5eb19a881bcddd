"""Per-channel draft rules and bulk jobs."""

import uuid

import httpx
import pytest


@pytest.fixture()
def customer(kustomer: httpx.Client) -> str:
    resp = kustomer.post("/v1/customers", json={"name": "Drafty", "emails": [{"email": f"{uuid.uuid4().hex}@d.test"}]})
    return resp.json()["data"]["id"]


@pytest.mark.parametrize("channel,limit,extra", [
    ("email", 10240, {"app": "postmark"}), ("sms", 1600, {}), ("chat", 1024, {}), ("facebook", 2000, {}),
    ("twitter-tweet", 280, {}), ("twitter-dm", 10000, {}), ("instagram", 1000, {}),
    ("whatsapp", 1600, {"app": "twilio_whatsapp"}),
])
def test_draft_body_length_per_channel(kustomer: httpx.Client, customer: str, channel, limit, extra):
    ok = kustomer.post(f"/v1/customers/{customer}/drafts", json={"channel": channel, "body": "x" * limit, **extra})
    assert ok.status_code == 200, ok.text
    assert ok.json()["data"]["attributes"]["status"] == "draft"
    too_long = kustomer.post(f"/v1/customers/{customer}/drafts", json={"channel": channel, "body": "x" * (limit + 1), **extra})
    assert too_long.status_code == 400
    assert too_long.json()["errors"][0]["source"]["pointer"] == "/body"


def test_whatsapp_basic_needs_app_and_interactive_needs_whatsapp_app(kustomer: httpx.Client, customer: str):
    assert kustomer.post(f"/v1/customers/{customer}/drafts", json={"channel": "whatsapp", "body": "hi"}).status_code == 400
    interactive = {"channel": "whatsapp", "app": "whatsapp",
                   "meta": {"interactive": {"type": "button", "body": {"text": "Pick"},
                                            "action": {"buttons": [{"type": "reply", "reply": {"id": "1", "title": "Yes"}}]}}}}
    assert kustomer.post(f"/v1/customers/{customer}/drafts", json=interactive).status_code == 200


def test_one_note_draft_per_conversation_and_scheduling(kustomer: httpx.Client, customer: str):
    convo = kustomer.post("/v1/conversations", json={"customer": customer}).json()["data"]["id"]
    note = {"channel": "note", "body": "remember", "conversation": convo}
    first = kustomer.post(f"/v1/customers/{customer}/drafts", json=note)
    assert first.status_code == 200
    assert kustomer.post(f"/v1/customers/{customer}/drafts", json=note).status_code == 409
    draft = first.json()["data"]["id"]
    scheduled = kustomer.put(f"/v1/drafts/{draft}", json={"channel": "note", "sendAt": "2030-01-01T00:00:00.000Z"})
    assert scheduled.json()["data"]["attributes"]["status"] == "scheduled"
    unscheduled = kustomer.put(f"/v1/drafts/{draft}", json={"channel": "note", "sendAt": ""})
    assert unscheduled.json()["data"]["attributes"]["status"] == "draft"
    listed = kustomer.get(f"/v1/customers/{customer}/drafts").json()["data"]
    assert draft in [d["id"] for d in listed]
    assert kustomer.delete(f"/v1/drafts/{draft}").status_code == 204


def test_bulk_create_is_a_job_with_per_item_errors(kustomer: httpx.Client):
    items = [{"name": f"Bulk {i}", "emails": [{"email": f"{uuid.uuid4().hex}@b.test"}]} for i in range(30)]
    items[4] = {"name": "Bad", "custom": {"nope": 1}}
    resp = kustomer.post("/v1/customers/bulk", json=items)
    assert resp.status_code == 201
    job = resp.json()["data"]
    assert job["type"] == "bulk" and job["attributes"]["status"] == "complete"
    assert len(job["attributes"]["ids"]) == 29
    assert job["attributes"]["errors"][0]["index"] == 4
    assert job["links"]["self"] == f"/v1/bulk/{job['id']}"
    fetched = kustomer.get(f"/v1/bulk/{job['id']}").json()["data"]
    assert fetched["attributes"]["ids"] == job["attributes"]["ids"]
    batches = kustomer.get(f"/v1/bulk/{job['id']}/batches").json()["data"]
    assert [b["attributes"]["count"] for b in batches] == [25, 5]
    assert sum(b["attributes"]["failed"] for b in batches) == 1
    assert kustomer.post("/v1/customers/bulk", json=[{"name": "x"}] * 101).status_code == 400
