"""Developer commands for migrations, against the database named by ``UNIFIED_DATABASE_URL``.

    python -m unified.store.migrations upgrade
    python -m unified.store.migrations revision -m "add idempotency records" --autogenerate

``revision --autogenerate`` compares ``schema.py`` with an up-to-date database and writes
``versions/NNNN_<message>.py`` with the difference; review it, since Alembic cannot see
everything (renames, for one).
"""

from __future__ import annotations

import argparse

from alembic import command
from alembic.script import ScriptDirectory

from unified.store.migrate import alembic_config


def next_revision_id() -> str:
    """Sequential ids (0001, 0002...) read better in a directory listing than random hex."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return f"{int(head or 0) + 1:04d}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m unified.store.migrations")
    commands = parser.add_subparsers(dest="command", required=True)
    revision = commands.add_parser("revision", help="write a new migration script")
    revision.add_argument("-m", "--message", required=True)
    revision.add_argument("--autogenerate", action="store_true", help="fill it in from schema.py")
    commands.add_parser("upgrade", help="migrate the database to the newest revision")
    args = parser.parse_args(argv)
    config = alembic_config()
    if args.command == "revision":
        command.revision(
            config, message=args.message, autogenerate=args.autogenerate, rev_id=next_revision_id()
        )
    else:
        command.upgrade(config, "head")


if __name__ == "__main__":
    main()
