"""`unified check` passes on the shipped files and fails loudly, with file:line, on broken ones."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from unified.catalogue.loader import PROJECT_ROOT
from unified.commands.schemas import SCHEMA_DIR, render_schemas


def run_check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "unified", "check", *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, timeout=120)


def test_shipped_files_pass():
    result = run_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "168 operations" in result.stderr


@pytest.fixture()
def providers(tmp_path: Path) -> Path:
    target = tmp_path / "providers"
    shutil.copytree(PROJECT_ROOT / "providers", target)
    return target


def break_file(path: Path, old: str, new: str) -> int:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1))
    return line


def test_unknown_key_is_reported_with_its_line(providers: Path):
    conversations = providers / "kustomer" / "resources" / "conversations.yaml"
    line = break_file(conversations, "        http: GET\n", "        http: GET\n        verb: GET\n")
    result = run_check("--providers", str(providers))
    assert result.returncode == 1
    assert f"conversations.yaml:{line + 1}: Object contains unknown field `verb`" in result.stdout


def test_yaml_syntax_error_is_reported_with_its_line(providers: Path):
    notes = providers / "kustomer" / "resources" / "notes.yaml"
    line = break_file(notes, "resources:\n", "resources:\n  : [unclosed\n")
    result = run_check("--providers", str(providers))
    assert result.returncode == 1
    assert "notes.yaml:" in result.stdout and "invalid YAML" in result.stdout
    reported = int(result.stdout.split("notes.yaml:")[1].split(":")[0])
    assert abs(reported - (line + 1)) <= 1


def test_semantic_errors_are_reported(providers: Path):
    provider = providers / "kustomer" / "provider.yaml"
    break_file(provider, "default_pagination: page", "default_pagination: pages")
    result = run_check("--providers", str(providers))
    assert result.returncode == 1
    assert "provider.yaml:" in result.stdout and "unknown pagination style 'pages'" in result.stdout


def test_path_params_must_match_the_path(providers: Path):
    conversations = providers / "kustomer" / "resources" / "conversations.yaml"
    text = conversations.read_text()
    conversations.write_text(text.replace("path: /v1/conversations/{id}\n", "path: /v1/conversations/{conversation}\n", 1))
    result = run_check("--providers", str(providers))
    assert result.returncode == 1
    assert "'id' is not in the path" in result.stdout


def test_published_json_schemas_are_current():
    for name, text in render_schemas().items():
        assert (SCHEMA_DIR / name).read_text() == text, f"schemas/{name} is stale: run `unified schemas --write`"


@pytest.fixture()
def mappings(tmp_path: Path) -> Path:
    target = tmp_path / "mappings"
    shutil.copytree(PROJECT_ROOT / "mappings", target)
    return target


def test_mappings_are_checked_and_compiled():
    result = run_check()
    assert re.search(r"(\d+) expressions \(\1 compiled to Python, 0 left to jsonata-python\)", result.stderr), result.stderr


def test_check_names_expressions_left_to_the_interpreter(mappings: Path):
    tickets = mappings / "kustomer" / "ticketing" / "tickets.yaml"
    tickets.write_text(tickets.read_text().replace('"created_at": attributes.createdAt,',
                                                   '"created_at": $eval("attributes.createdAt"),', 1))
    result = run_check("--mappings", str(mappings))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 left to jsonata-python: " in result.stderr and "tickets.yaml:" in result.stderr


def test_broken_jsonata_is_reported_with_its_line(mappings: Path):
    tickets = mappings / "kustomer" / "ticketing" / "tickets.yaml"
    line = break_file(tickets, '    "name": attributes.name,', '    "name": attributes.name +,')
    result = run_check("--mappings", str(mappings))
    assert result.returncode == 1
    assert "tickets.yaml:" in result.stdout and "invalid JSONata" in result.stdout
    reported = int(result.stdout.split("tickets.yaml:")[1].split(":")[0])
    assert reported <= line  # the expression's own key line (block scalars start above the broken line)


def test_unknown_call_and_missing_path_expression(mappings: Path):
    tickets = mappings / "kustomer" / "ticketing" / "tickets.yaml"
    break_file(tickets, "call: conversations.get", "call: conversations.fetch")
    result = run_check("--mappings", str(mappings))
    assert result.returncode == 1
    assert "'conversations.fetch' is not an operation of the kustomer catalogue" in result.stdout


def test_sample_maps_a_vendor_record_offline(tmp_path: Path):
    sample = tmp_path / "conversation.json"
    sample.write_text('{"type": "conversation", "id": "c1", "attributes": {"name": "Help", "status": "snoozed",'
                      ' "priority": 5, "assignedUsers": ["u1"]}, "relationships": {}}')
    result = run_check("--sample", str(sample), "--mapping", "kustomer/ticketing/tickets")
    assert result.returncode == 0, result.stderr
    import json

    mapped = json.loads(result.stdout)
    assert mapped["status"] == {"id": "snoozed", "name": "pending"}
    assert mapped["priority"] == {"id": "5", "name": "urgent"}
    assert mapped["assignees"] == [{"id": "u1", "name": None}]
