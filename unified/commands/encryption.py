"""`unified encryption rotate|status|generate-key`: rotating the key that protects credentials.

Rotation is three configuration steps around one command: list the new key first and keep
the old one after it (``UNIFIED_ENCRYPTION_KEYS=NEW,OLD`` or the key file, one per line), run
``unified encryption rotate``, then drop the old key once it reports nothing left on it.

Why it is safe to interrupt and to repeat: every configured key decrypts (MultiFernet), so a
table that is half re-encrypted still reads completely while the old key stays listed; rows
are rewritten in small committed batches, each row only if its ciphertext is still the one
that was read, so running the command again simply finishes (or redoes) the job. Nothing is
written when some account cannot be decrypted at all. Keys are never printed, only counts.
"""

from __future__ import annotations

import argparse
from typing import Any

from unified.commands import _store
from unified.commands._store import Output


def _key_source(config: Any) -> str:
    """Where the keys come from, for messages (a name or a path, never a key)."""
    from unified.store.config import ENCRYPTION_KEYS_ENV

    return ENCRYPTION_KEYS_ENV if config.encryption_keys else f"the key file {config.key_file}"


def _require_keys(args: argparse.Namespace) -> int | None:
    """Refuse to run on a fresh key: opening the store would create a key file that decrypts nothing."""
    from unified.store.config import ENCRYPTION_KEYS_ENV

    try:
        config = _store.store_config(args)
    except _store.CliError as exc:
        return _store.fail(exc.message, exc.code)
    if config.encryption_keys or config.key_file.exists():
        return None
    return _store.fail(
        f"no encryption keys configured: set {ENCRYPTION_KEYS_ENV} (new key first, then the old ones) "
        f"or write them to {config.key_file}",
        _store.EXIT_BAD_INPUT,
    )


def _usage_data(usage: Any) -> dict[str, Any]:
    return {
        "accounts": usage.accounts,
        "keys_configured": len(usage.per_key),
        "per_key": list(usage.per_key),
        "on_current_key": usage.on_current_key,
        "on_old_keys": usage.on_old_keys,
        "unreadable": list(usage.unreadable),
    }


def _usage_lines(usage: Any) -> list[str]:
    lines = [
        f"accounts: {usage.accounts}; on the current key: {usage.on_current_key}; "
        f"on older keys: {usage.on_old_keys}; unreadable: {len(usage.unreadable)}"
    ]
    lines += [f"key #{i}: {count} account(s)" for i, count in enumerate(usage.per_key, start=1)]
    return lines


def _unreadable_error(usage: Any, source: str) -> _store.CliError:
    shown = ", ".join(usage.unreadable[:5]) + (" ..." if len(usage.unreadable) > 5 else "")
    return _store.not_found(
        f"{len(usage.unreadable)} integrated account(s) cannot be decrypted with the keys in {source} "
        f"({shown}); add the key they were encrypted with (after the new one) and run again; nothing was changed"
    )


def _rotate(args: argparse.Namespace) -> int:
    refused = _require_keys(args)
    if refused is not None:
        return refused
    config = _store.store_config(args)
    source = _key_source(config)

    async def action(store: _store.Store) -> Output:
        before = await store.credential_key_usage()
        if before.unreadable:
            raise _unreadable_error(before, source)
        rotated = await store.rotate_credentials(batch_size=args.batch_size)
        after = await store.credential_key_usage()
        notes: list[str] = []
        if len(after.per_key) == 1:
            notes.append(f"only one key is configured in {source}; to rotate, list the new key first and the old one after it")
        if after.on_old_keys or after.unreadable:
            notes.append(
                f"{after.on_old_keys + len(after.unreadable)} account(s) were written meanwhile with another key "
                "(an instance still configured with an older first key?); update every instance, then run again"
            )
        elif len(after.per_key) > 1:
            notes.append(f"every account is on the current key: the older keys may now be removed from {source}")
        data = {"rotated": rotated, **_usage_data(after)}
        lines = [f"re-encrypted {rotated} integrated account(s) with the current key", *_usage_lines(after)]
        return Output(data, lines, notes)

    return _store.run(args, action)


def _status(args: argparse.Namespace) -> int:
    refused = _require_keys(args)
    if refused is not None:
        return refused
    source = _key_source(_store.store_config(args))

    async def action(store: _store.Store) -> Output:
        usage = await store.credential_key_usage()
        notes = []
        if usage.unreadable:
            notes.append(f"unreadable with the keys in {source}: {', '.join(usage.unreadable)}")
        return Output(_usage_data(usage), _usage_lines(usage), notes)

    return _store.run(args, action)


def _generate(args: argparse.Namespace) -> int:
    from unified.store import generate_key

    print(generate_key())  # a fresh key that protects nothing yet; the user puts it in the configuration
    return _store.EXIT_OK


def _batch_size(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 10_000:
        raise argparse.ArgumentTypeError("must be an integer 1..10000")
    return int(text)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "encryption",
        help="rotate the key that encrypts stored credentials",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    commands = parser.add_subparsers(dest="encryption_command", metavar="ACTION")
    commands.required = True
    common = _store.common_options()

    rotate = commands.add_parser(
        "rotate",
        parents=[common],
        help="re-encrypt every account's credentials with the first configured key (safe to repeat)",
    )
    rotate.add_argument(
        "--batch-size", type=_batch_size, default=200, help="accounts per committed batch (default 200)"
    )
    rotate.set_defaults(handler=_rotate)

    status = commands.add_parser("status", parents=[common], help="count the accounts each configured key protects")
    status.set_defaults(handler=_status)

    generate = commands.add_parser("generate-key", help="print a new random key (to list first in the configuration)")
    generate.set_defaults(handler=_generate)
