"""Deterministic seed data: an org big enough to page through.

The same ``--seed`` gives the same ids, names and timestamps on every run, so tests and
examples can rely on them. Sizes are chosen so that every paged list spans several pages
of Kustomer's default page size (100)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from unified.sandbox.records import iso
from unified.sandbox.state import SandboxState


@dataclass(frozen=True)
class SeedSizes:
    users: int = 12
    teams: int = 4
    tags: int = 24
    companies: int = 40
    customers: int = 300
    conversations: int = 450
    kobjects: int = 60
    audit_logs: int = 250
    shortcuts: int = 12


REFERENCE_TIME = datetime(2026, 6, 1, tzinfo=UTC)
FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Linus",
         "Radia", "Tim", "Vint", "Hedy", "John", "Katherine", "Dennis", "Sophie", "Niklaus", "Guido"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Hamilton",
        "Torvalds", "Perlman", "Berners-Lee", "Cerf", "Lamarr", "Backus", "Johnson", "Ritchie", "Wilson",
        "Wirth", "Rossum"]
COMPANY_WORDS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell", "Cyberdyne",
                 "Soylent", "Wonka", "Gringotts", "Aperture", "Vandelay", "Oscorp", "Massive", "Dynamic",
                 "Pied Piper", "Prestige", "Monarch"]
SUBJECTS = ["Where is my order?", "Refund request", "Cannot log in", "Damaged item", "Change address",
            "Billing question", "Cancel subscription", "Feature request", "Late delivery", "Wrong size",
            "Password reset", "Invoice copy", "Discount code not working", "Account locked", "Shipping quote"]
TAG_NAMES = ["billing", "refund", "shipping", "vip", "bug", "feature-request", "login", "returns",
             "urgent", "follow-up", "escalated", "churn-risk", "warranty", "invoice", "discount",
             "damaged", "address-change", "subscription", "feedback", "spam", "wholesale", "press",
             "partner", "beta"]
CHANNELS = ["email", "chat", "sms", "facebook", "instagram", "whatsapp", "twitter-dm", "voice"]
ROLES = ["org.admin", "org.user", "org.permission.conversation.read", "org.permission.conversation.create",
         "org.permission.conversation.update", "org.permission.conversation.delete",
         "org.permission.customer.read", "org.permission.customer.create", "org.permission.customer.update",
         "org.permission.customer.delete", "org.permission.message.read", "org.permission.message.create",
         "org.permission.note.read", "org.permission.note.create", "org.permission.search.create",
         "org.permission.unmasking_window.create", "org.permission.unmasking_window.delete",
         "org.permission.metadata.read", "org.permission.metadata.update", "org.permission.audit_logs.read"]


def seed(state: SandboxState, sizes: SeedSizes = SeedSizes()) -> None:
    rng = random.Random(state.seed)

    def when(days_back: float) -> str:
        return iso(REFERENCE_TIME - timedelta(days=days_back, seconds=rng.randint(0, 86_399)))

    def person() -> tuple[str, str]:
        return rng.choice(FIRST), rng.choice(LAST)

    state.org_id = state.new_id()
    machine = state.add("user", {"name": "Sandbox API key", "displayName": "Sandbox API key",
                                 "userType": "machine", "email": None, "roles": ["org.admin", "org.user"]},
                        stamp=True)
    state.machine_user_id = machine.id
    machine.relationships["createdBy"] = machine.relationships["modifiedBy"] = {"type": "user", "id": machine.id}

    for role in ROLES:
        state.add("auth_role", {}, ident=role, stamp=False)

    users = []
    for i in range(sizes.users):
        first, last = person()
        created = when(400 - i)
        users.append(state.add("user", {
            "name": f"{first} {last}", "displayName": first, "userType": "user" if i % 6 else "limited",
            "email": f"{first}.{last}.{i}@sandbox-helpdesk.test".lower(), "mobile": None,
            "roles": ["org.user"] + (["org.admin"] if i == 0 else []), "roleGroups": [],
            "createdAt": created, "updatedAt": created, "modifiedAt": created,
        }))
    teams = []
    for i in range(sizes.teams):
        members = [u.id for u in users[i::sizes.teams]]
        created = when(380 - i)
        teams.append(state.add("team", {
            "name": ["Tier 1", "Tier 2", "Billing", "VIP"][i % 4] + ("" if i < 4 else f" {i}"),
            "displayName": None, "icon": "users", "members": members, "roleGroups": [], "deleted": False,
            "createdAt": created, "updatedAt": created, "modifiedAt": created,
        }))
    tags = []
    for i in range(sizes.tags):
        created = when(360 - i)
        tags.append(state.add("tag", {"name": TAG_NAMES[i % len(TAG_NAMES)], "color": f"#{rng.randrange(0xFFFFFF):06x}",
                                      "deleted": False, "createdAt": created, "updatedAt": created,
                                      "modifiedAt": created}))

    _seed_metadata(state)

    companies = []
    for i in range(sizes.companies):
        name = f"{COMPANY_WORDS[i % len(COMPANY_WORDS)]} {['Inc', 'LLC', 'GmbH', 'Ltd'][i // len(COMPANY_WORDS) % 4]}"
        domain = name.lower().replace(" ", "") + ".test"
        created = when(350 - i * 3)
        companies.append(state.add("company", {
            "name": name, "externalId": f"cmp-{i:04d}", "domains": [{"domain": domain}],
            "emails": [{"type": "work", "email": f"info@{domain}"}], "phones": [], "socials": [], "urls": [],
            "locations": [], "employeeCount": rng.choice([5, 20, 120, 800, 5000]), "tags": [],
            "custom": {"industryStr": rng.choice(["retail", "saas", "logistics", "health"]),
                       "arrNum": rng.randint(1, 500) * 1000},
            "rev": 1, "createdAt": created, "updatedAt": created, "modifiedAt": created,
        }))

    customers = []
    for i in range(sizes.customers):
        first, last = person()
        created = when(330 - i)
        company = companies[i % len(companies)] if i % 3 else None
        customers.append(state.add("customer", {
            "name": f"{first} {last}", "displayName": f"{first} {last}", "firstName": first, "lastName": last,
            "externalId": f"cus-{i:05d}",
            "emails": [{"type": "home", "email": f"{first}.{last}.{i}@example.test".lower(), "verified": i % 2 == 0}],
            "phones": [{"type": "mobile", "phone": f"+1555{i:07d}", "verified": False}],
            "socials": [], "urls": [], "locations": [], "locale": "en_US", "timeZone": "America/New_York",
            "tags": [tags[i % len(tags)].id] if i % 4 == 0 else [],
            "custom": {"loyaltyTierStr": rng.choice(["bronze", "silver", "gold"]),
                       "lifetimeValueNum": rng.randint(0, 50_000) / 10, "vipBool": i % 10 == 0,
                       "taxIdStr": f"TX-{rng.randint(10**7, 10**8 - 1)}"},
            "conversationCounts": {"all": 0, "open": 0, "snoozed": 0, "done": 0},
            "unmaskingWindow": None, "deleted": False, "rev": 1,
            "createdAt": created, "updatedAt": created, "modifiedAt": created,
        }, {"company": {"type": "company", "id": company.id} if company else None}))

    for customer in customers:
        customer.relationships["messages"] = {"links_only": f"/v1/customers/{customer.id}/messages"}

    for i in range(sizes.conversations):
        customer = customers[(i * 7) % len(customers)]
        created_days = 300 - i * 0.6
        created = when(created_days)
        status = rng.choice(["open", "open", "snoozed", "done", "done"])
        assignee = rng.choice(users)
        team = rng.choice(teams)
        chosen_tags = sorted({t.id for t in rng.sample(tags, rng.randint(0, 3))})
        channel = rng.choice(CHANNELS)
        convo = state.add("conversation", {
            "name": rng.choice(SUBJECTS), "channels": [channel], "status": status,
            "priority": rng.randint(1, 5), "direction": rng.choice(["in", "in", "out"]),
            "tags": chosen_tags, "assignedUsers": [assignee.id], "assignedTeams": [team.id],
            "messageCount": 0, "noteCount": 0, "outboundMessageCount": 0, "satisfaction": 0,
            "snooze": {"time": when(created_days - 3), "status": "scheduled"} if status == "snoozed" else None,
            "custom": {"orderNumberStr": f"ORD-{10000 + i}", "refundAmountNum": rng.choice([None, 19.99, 120.0])},
            "externalId": f"conv-{i:05d}", "deleted": False, "ended": status == "done", "rev": 1,
            "createdAt": created, "updatedAt": when(max(created_days - 2, 0)), "modifiedAt": created,
        }, {"customer": {"type": "customer", "id": customer.id}}, owner_customer=customer.id)
        convo.relationships["messages"] = {"links_only": f"/v1/conversations/{convo.id}/messages"}
        counts = customer.attributes["conversationCounts"]
        counts["all"] += 1
        counts[status] += 1
        for m in range(rng.randint(1, 4)):
            direction = "in" if m % 2 == 0 else "out"
            msg_created = when(created_days - m * 0.1)
            message = state.add("message", {
                "channel": channel, "app": {"email": "postmark", "sms": "twilio"}.get(channel, channel),
                "direction": direction, "directionType": ("initial-" if m == 0 else "response-") + direction,
                "preview": f"{'Customer' if direction == 'in' else 'Agent'} message {m + 1} about {convo.attributes['name']}",
                "subject": convo.attributes["name"], "status": "received" if direction == "in" else "sent",
                "meta": {}, "redacted": False, "auto": False, "sentAt": msg_created, "size": 64,
                "custom": {}, "externalId": f"msg-{i:05d}-{m}", "rev": 1,
                "createdAt": msg_created, "updatedAt": msg_created, "modifiedAt": msg_created,
            }, {"customer": {"type": "customer", "id": customer.id},
                "conversation": {"type": "conversation", "id": convo.id},
                "createdBy": {"type": "user", "id": assignee.id} if direction == "out" else None},
                owner_customer=customer.id)
            if direction == "in":
                message.relationships.pop("createdBy", None)
                message.relationships.pop("modifiedBy", None)
            convo.attributes["messageCount"] += 1
            if direction == "out":
                convo.attributes["outboundMessageCount"] += 1
            if i % 9 == 0 and m == 0:
                attachment = state.add("attachment", {
                    "name": f"receipt-{i}.pdf", "contentType": "application/pdf", "contentLength": 2048,
                    "redacted": False, "uploaded": True,
                }, {"message": {"type": "message", "id": message.id},
                    "conversation": {"type": "conversation", "id": convo.id}}, owner_customer=customer.id)
                message.attributes["attachments"] = [attachment.id]
        if i % 3 == 0:
            note_created = when(created_days - 0.5)
            state.add("note", {
                "body": f"Internal: checked order {convo.attributes['custom']['orderNumberStr']}",
                "externalId": None, "deleted": False, "rev": 1,
                "createdAt": note_created, "updatedAt": note_created, "modifiedAt": note_created,
            }, {"conversation": {"type": "conversation", "id": convo.id},
                "customer": {"type": "customer", "id": customer.id},
                "createdBy": {"type": "user", "id": assignee.id}, "userMentions": []},
                owner_customer=customer.id)
            convo.attributes["noteCount"] += 1
        if status == "done":
            state.add("conversation_time", {
                "createdAt": created, "createdByTeams": [team.id], "assignedUsers": [assignee.id],
                "assignedTeams": [team.id], "handleAt": created, "handleTime": rng.randint(60, 3600) * 1000,
                "channels": [channel], "messageAt": created, "messageTime": rng.randint(1, 600) * 1000,
            }, {"conversation": {"type": "conversation", "id": convo.id}}, stamp=False,
                owner_customer=customer.id)
        state.add("customer_event", {
            "name": "kustomer.conversation.create", "changes": {"attributes": {"status": {"op": "add", "after": status}}},
            "createdAt": created,
        }, {"conversation": {"type": "conversation", "id": convo.id},
            "customer": {"type": "customer", "id": customer.id}}, stamp=False)

    _seed_klass(state, rng, customers, companies, sizes, when)
    _seed_settings(state, rng, teams, users, sizes, when)
    _seed_sessions(state, customers[:10], when)
    for i in range(sizes.audit_logs):
        target = customers[i % len(customers)]
        created = when(200 - i * 0.5)
        state.add("audit_log", {
            "eventName": "kustomer.customer.update", "eventVerb": "update", "org": state.org_id,
            "userId": users[i % len(users)].id, "userType": "user", "objectId": target.id,
            "objectType": "customer", "client": "api", "ip": "127.0.0.1",
            "changes": {"attributes": {"name": {"op": "replace", "before": "x", "after": target.attributes["name"]}}},
            "createdAt": created, "publishedAt": created,
        }, stamp=False)


def _seed_metadata(state: SandboxState) -> None:
    props = {
        "customer": {
            "loyaltyTierStr": {"type": "string", "displayName": "Loyalty Tier", "enumeration": ["bronze", "silver", "gold"]},
            "lifetimeValueNum": {"type": "number", "displayName": "Lifetime Value"},
            "vipBool": {"type": "boolean", "displayName": "VIP"},
            "taxIdStr": {"type": "string", "displayName": "Tax Id", "sensitive": True},
        },
        "conversation": {
            "orderNumberStr": {"type": "string", "displayName": "Order Number"},
            "refundAmountNum": {"type": "number", "displayName": "Refund Amount"},
        },
        "company": {
            "industryStr": {"type": "string", "displayName": "Industry"},
            "arrNum": {"type": "number", "displayName": "ARR"},
        },
        "message": {},
        "kobject.order": {
            "totalNum": {"type": "number", "displayName": "Total"},
            "statusStr": {"type": "string", "displayName": "Status"},
        },
    }
    standard = {"customer": {"phones": {"sensitive": True}}}
    for resource, properties in props.items():
        state.add("metadata", {"properties": properties, "standardProperties": standard.get(resource, {}),
                               "relationships": {}, "validations": {}}, ident=resource)


def _seed_klass(state, rng, customers, companies, sizes, when) -> None:
    created = when(320)
    klass = state.add("klass", {"name": "order", "displayName": "Order", "icon": "cart", "color": "#3366ff",
                                "status": "enabled", "mixins": [], "appDisabled": False,
                                "createdAt": created, "updatedAt": created, "modifiedAt": created})
    state.add("klass", {"name": "subscription", "displayName": "Subscription", "icon": "repeat",
                        "color": "#33aa66", "status": "disabled", "mixins": [], "appDisabled": False})
    for i in range(sizes.kobjects):
        customer = customers[i % len(customers)]
        company = companies[i % len(companies)]
        created = when(250 - i)
        state.add("kobject.order", {
            "title": f"Order #{5000 + i}", "externalId": f"order-{5000 + i}", "description": None,
            "icon": None, "images": [], "data": {"items": rng.randint(1, 5)},
            "custom": {"totalNum": rng.randint(500, 50_000) / 100, "statusStr": rng.choice(["paid", "shipped", "refunded"])},
            "tags": [], "rev": 1, "createdAt": created, "updatedAt": created, "modifiedAt": created,
        }, {"klass": {"type": "klass", "id": klass.id}, "customer": {"type": "customer", "id": customer.id},
            "company": {"type": "company", "id": company.id}}, owner_customer=customer.id)


def _seed_settings(state, rng, teams, users, sizes, when) -> None:
    state.add("brand", {"name": "Sandbox Store", "iconUrl": "https://sandbox-helpdesk.test/icon.png", "default": True})
    state.add("brand", {"name": "Sandbox Outlet", "iconUrl": "https://sandbox-helpdesk.test/outlet.png", "default": False})
    hours = {"0": None, "1": [[480, 1020]], "2": [[480, 1020]], "3": [[480, 1020]], "4": [[480, 1020]],
             "5": [[480, 960]], "6": None}
    default = state.add("schedule", {"name": "Business hours", "hours": hours, "timezone": "America/New_York",
                                     "default": True})
    state.add("schedule", {"name": "Weekend support", "hours": {"0": [[600, 960]], "6": [[600, 960]]},
                           "timezone": "Europe/Berlin", "default": False})
    state.add("holiday", {"name": "New Year", "date": "2026-01-01"}, {"schedule": {"type": "schedule", "id": default.id}})
    sla = state.add("sla", {"name": "Standard SLA", "currentVersion": 1, "enabled": True})
    state.add("sla_version", {"name": "Standard SLA", "description": "Default targets", "version": 1,
                              "hours": "calendar", "metrics": {"firstResponse": {"enabled": True, "times": {
                                  str(p): (6 - p) * 3_600_000 for p in range(1, 6)}}}, "criteria": {}},
              {"sla": {"type": "sla", "id": sla.id}})
    for sender, lst in (("spam@bad.test", "blacklist"), ("ceo@partner.test", "whitelist"), ("noreply@ads.test", "blacklist")):
        state.add("sender", {"sender": sender, "channel": "email", "list": lst})
    state.add("satisfaction", {"name": "CSAT", "formType": "csat", "enabled": True, "channel": "email",
                               "scale": {"options": 5, "type": "stars", "labelLow": "Bad", "labelHigh": "Great"}})
    for i in range(sizes.shortcuts):
        state.add("shortcut", {"name": f"reply-{i:02d}", "draft": {"text": f"Canned reply number {i}"},
                               "payload": {}, "isPrivate": i % 5 == 0, "deleted": False, "rev": 1})
    state.add("outbound_account", {"channel": "email", "name": "Sandbox support", "account": "support@sandbox-helpdesk.test"})
    state.add("outbound_account", {"channel": "sms", "name": "Sandbox SMS", "account": "+15550000000"})


def _seed_sessions(state, customers, when) -> None:
    for customer in customers:
        session = state.add("session", {"channel": "web", "createdAt": when(30)},
                            {"customer": {"type": "customer", "id": customer.id}}, stamp=False)
        for n in range(3):
            state.add("customer_event", {"name": f"page.view.{n}", "meta": {"url": f"/products/{n}"},
                                         "createdAt": when(29)},
                      {"customer": {"type": "customer", "id": customer.id},
                       "session": {"type": "session", "id": session.id}}, stamp=False)
