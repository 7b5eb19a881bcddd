"""`unified check` passes on the shipped files and fails loudly, with file:line, on broken ones."""

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
