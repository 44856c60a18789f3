"""The command line: ``coopbot console | run | check-config | export | grant-admin | health |
backup | import-members``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import sys
from importlib import resources
from pathlib import Path

from storage.repository import DatabaseLocked, Repository

from . import config as config_module
from . import export, logs
from .config import Config, ConfigError


def _load(path: str | None) -> Config:
    if path is None:
        text = resources.files("bot").joinpath("demo.toml").read_text(encoding="utf-8")
        config = config_module.parse(text, None)
    else:
        config = config_module.load(path)
    logs.protect(config)  # from now on no log line carries one of its secrets
    return config


def _console(args: argparse.Namespace) -> int:
    from .console import Console

    config = _load(args.config)
    interactive = sys.stdin.isatty()
    if args.config is None:
        print(f"coopbot console: built-in demo group, database {Path(config.database).resolve()}",
              file=sys.stderr)
    console = Console(config, interactive=interactive)
    asyncio.run(console.run())
    return 0


def _run(args: argparse.Namespace) -> int:
    config = _load(args.config)
    problems = config_module.placeholder_problems(config)
    if problems:
        raise ConfigError("\n".join(f"{args.config}: {p}" for p in problems))
    if config.matrix is None:
        raise ConfigError(f"{args.config}: [matrix] is needed by coopbot run")
    from .matrix import MatrixBot, MatrixFatal

    logging.getLogger("bot").setLevel(logging.INFO)
    # A wakeup that finds the previous one still running is skipped, harmlessly (the due
    # work is read from the database): not worth a warning in the operator's log.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    bot = MatrixBot(config)
    print(f"coopbot run: {config.matrix.user_id} on {config.matrix.homeserver}, "
          f"database {config.database}", file=sys.stderr)
    try:
        asyncio.run(_serve(bot))
    except MatrixFatal as error:
        print(f"coopbot: {error}", file=sys.stderr)
        return 4
    return 0


async def _serve(bot) -> None:
    """Run until SIGTERM or Ctrl-C, then close cleanly (the outbox keeps what was not sent)."""
    import signal

    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, task.cancel)
    http = None
    listen = bot.runtime.config.http_listen
    if listen:
        from .http import serve

        try:
            http = await serve(bot.runtime, listen)
        except OSError as error:
            # A port another program holds (or an address this host lacks) is the config's
            # to change: said as such (exit 2, which systemd does not restart), not a
            # traceback. The bot never ran: its database is released here.
            bot.runtime.close()
            raise ConfigError(f"bot.http_listen: cannot listen on {listen} "
                              f"({error.strerror or error})") from None
    jobs = [bot.run()]
    discourse = bot.runtime.config.discourse
    if discourse is not None:
        from .forum import make_client, run_forum

        # The forum registers its read watermark on the shared runtime: no deadline is
        # decided before the forum has been read up to it (see bot/forum.py).
        jobs.append(run_forum(bot.runtime, discourse, client=make_client(discourse),
                              after_pass=bot.deliver_soon))
    try:
        await asyncio.gather(*jobs)
    except asyncio.CancelledError:
        pass
    finally:
        if http is not None:
            await http.cleanup()


def _check(args: argparse.Namespace) -> int:
    config = _load(args.file)
    print(config_module.describe(config))
    problems = config_module.placeholder_problems(config)
    for problem in problems:
        print(f"warning: {problem} (coopbot run will refuse it)")
    if problems:
        print(f"configuration valid, but {len(problems)} warning(s) above: fix them before coopbot run")
    else:
        print("configuration OK")
    return 0


def _export(args: argparse.Namespace) -> int:
    config = _load(args.config)
    fmt = args.format or "json"
    if args.what == "tree" and fmt not in export.TREE_FORMATS:
        print(f"coopbot: the tree is exported as {', '.join(export.TREE_FORMATS)}, not {fmt}",
              file=sys.stderr)
        return 1
    if args.what != "tree" and (fmt not in ("json", "csv") or args.group or args.output):
        print(f"coopbot: --what {args.what} is exported as json or csv on stdout "
              "(--group, --output, dot and png are for --what tree)", file=sys.stderr)
        return 1
    if not Path(config.database).exists():
        print(f"coopbot: no database at {config.database} yet: nothing to export", file=sys.stderr)
        return 1
    repo = Repository(config.database, lock=False)
    try:
        if args.what == "tree":
            return _export_tree(args, config, repo, fmt)
        sys.stdout.write(export.render(export.rows(repo, args.what), fmt))
    finally:
        repo.close()
    return 0


def _export_tree(args: argparse.Namespace, config: Config, repo: Repository, fmt: str) -> int:
    """``--what tree``: every group's tree (JSON, DOT), or one group's picture (PNG), on
    stdout or into ``--output``."""
    from commands.engine import Engine

    from .clock import SystemClock

    slugs = [g.slug for g in config.groups]
    if args.group:
        if args.group not in slugs:
            raise ConfigError(f"no group {args.group!r} in the configuration "
                              f"(groups: {', '.join(slugs)})")
        slugs = [args.group]
    if fmt == "png" and len(slugs) > 1:
        print(f"coopbot: a picture shows one group: choose it with --group "
              f"({', '.join(slugs)})", file=sys.stderr)
        return 1
    if fmt == "png" and not args.output and sys.stdout.isatty():
        print("coopbot: a PNG is not for a terminal: redirect it (> tree.png) or use "
              "--output tree.png", file=sys.stderr)
        return 1
    clock = SystemClock()
    engine = Engine(repo, clock, config.groups, config.command_prefix)
    if fmt == "png" and not repo.members(slugs[0]):
        print(f"coopbot: {slugs[0]} has no members yet: no tree to draw", file=sys.stderr)
        return 1
    zone = engine.group(slugs[0]).zone
    data = export.tree_output(engine, slugs, fmt, clock.now().astimezone(zone).date())
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"{args.output}: the {fmt} of {', '.join(slugs)}'s tree ({len(data)} bytes)",
              file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def _grant_admin(args: argparse.Namespace) -> int:
    """The host's way back in when a group has no admin in good standing left."""
    from commands.admin import HostRefusal, host_grant_admin
    from commands.engine import Engine
    from commands.parsing import is_matrix_id

    from .clock import SystemClock

    config = _load(args.config)
    if config.group(args.group) is None:
        raise ConfigError(f"no group {args.group!r} in {args.config} "
                          f"(groups: {', '.join(g.slug for g in config.groups)})")
    person = args.person.strip()
    if not is_matrix_id(person):
        print(f"coopbot: {person!r} is not a full Matrix ID such as @alice:example.org",
              file=sys.stderr)
        return 1
    # No lock: this must work while the bot runs on the same database.
    repo = Repository(config.database, lock=False)
    try:
        clock = SystemClock()
        engine = Engine(repo, clock, config.groups, config.command_prefix)
        host_grant_admin(repo, engine.group(args.group), person, clock.now())
    except HostRefusal as refusal:
        print(f"coopbot: refused: {refusal}", file=sys.stderr)
        return 1
    finally:
        repo.close()
    print(f"{person} is now an admin of {args.group} (audited; the room is told)")
    return 0


def _health(args: argparse.Namespace) -> int:
    """Whether the running bot is synced and delivering, from its database alone."""
    import json

    from . import health
    from .clock import SystemClock

    config = _load(args.config)
    if not Path(config.database).exists():
        print(json.dumps({"status": "failing", "reasons": [f"no database at {config.database}"]}))
        return 1
    try:
        repo = Repository(config.database, lock=False)
        try:
            verdict = health.check(repo, config, SystemClock().now())
        finally:
            repo.close()
    except sqlite3.Error as error:  # not a database, or a damaged one: unhealthy, said why
        print(json.dumps({"status": "failing", "reasons": [
            f"the database {config.database} cannot be read: {type(error).__name__}: {error}"]}))
        return 1
    print(json.dumps(verdict.report, ensure_ascii=False))
    return 0 if verdict.healthy else 1


def _backup(args: argparse.Namespace) -> int:
    from .backup import BackupError, backup
    from .clock import SystemClock

    config = _load(args.config)
    try:
        made = backup(config, Path(args.dest), SystemClock().now())
    except (BackupError, OSError) as error:
        print(f"coopbot: no backup made: {error}", file=sys.stderr)
        return 1
    print(f"database copied to {made.database} (integrity checked)")
    if made.crypto_store is not None:
        print(f"crypto store copied to {made.crypto_store} ({len(made.files) - 1} file(s))")
    else:
        print("no crypto store to copy (none yet, or encryption unused)")
    return 0


def _import_members(args: argparse.Namespace) -> int:
    """Existing members from a CSV file; only what it would do, unless --apply."""
    from commands.engine import Engine

    from . import import_members
    from .clock import SystemClock

    config = _load(args.config)
    group = config.group(args.group)
    if group is None:
        raise ConfigError(f"no group {args.group!r} in {args.config} "
                          f"(groups: {', '.join(g.slug for g in config.groups)})")
    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"coopbot: cannot read {args.file}: {error}", file=sys.stderr)
        return 1
    rows, problems = import_members.read(text)
    # No lock: like grant-admin, this runs beside a live bot (see bot/import_members.py).
    repo = Repository(config.database, lock=False)
    try:
        # Every bad row is told, those of the file's form and those of its content alike.
        result = import_members.plan(repo, group.slug, rows)
        problems = sorted(problems + result.problems, key=import_members.line_of)
        if problems:
            raise import_members.ImportRefused(problems)
        if args.apply:
            clock = SystemClock()
            engine = Engine(repo, clock, config.groups, config.command_prefix)
            result = import_members.apply(repo, engine.group(group.slug), rows, clock.now())
    except import_members.ImportRefused as refused:
        for problem in refused.problems:
            print(f"{args.file}:{problem}", file=sys.stderr)
        print(f"coopbot: {len(refused.problems)} problem(s) in {args.file}: nothing applied",
              file=sys.stderr)
        return 1
    finally:
        repo.close()
    print(import_members.describe(result, applied=args.apply))
    if not args.apply and not result.empty:
        print("nothing changed yet: run again with --apply to do it")
    return 0


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--log-format", choices=logs.FORMATS, default=argparse.SUPPRESS,
                        help="log lines as text (default) or JSON, on stderr")
    top = argparse.ArgumentParser(prog="coopbot", parents=[common],
                                  description="Self-governed cooptation on Matrix and Discourse.")
    sub = top.add_subparsers(dest="command", required=True)

    def command(name: str, **kwargs) -> argparse.ArgumentParser:
        # Every subcommand takes the common options too: coopbot run --log-format json
        return sub.add_parser(name, parents=[common], **kwargs)

    console = command("console", help="try the bot in a terminal (built-in demo without --config)")
    console.add_argument("--config", help="TOML configuration file")
    console.set_defaults(func=_console)
    run = command("run", help="run the bot on Matrix (and Discourse when configured)")
    run.add_argument("--config", required=True)
    run.set_defaults(func=_run)
    check = command("check-config", help="validate a configuration file and print it, secrets masked")
    check.add_argument("file")
    check.set_defaults(func=_check)
    exp = command("export", help="print proposals, members, tasks, the audit log or the "
                         "cooptation tree")
    exp.add_argument("--config", help="TOML configuration file (default: the built-in demo)")
    exp.add_argument("--what", required=True, choices=export.WHATS)
    exp.add_argument("--format", choices=export.FORMATS,
                     help="json (default) or csv; for the tree json, dot or png")
    exp.add_argument("--group", help="the tree of this group only (a picture shows one)")
    exp.add_argument("--output", help="write the tree into this file instead of stdout")
    exp.set_defaults(func=_export)
    grant = command("grant-admin", help="the host's way back in: make someone admin of "
                           "a group that has no admin in good standing left")
    grant.add_argument("--config", required=True)
    grant.add_argument("--group", required=True)
    grant.add_argument("person", help="a full Matrix ID, e.g. @alice:example.org")
    grant.set_defaults(func=_grant_admin)
    check_health = command("health", help="exit 0 if the bot is synced and delivering, "
                                  "1 if not (from its database; the report on stdout as JSON)")
    check_health.add_argument("--config", required=True)
    check_health.set_defaults(func=_health)
    save = command("backup", help="a consistent copy of the database and the crypto "
                          "store, while the bot runs")
    save.add_argument("--config", required=True)
    save.add_argument("dest", help="a new (or empty) folder to copy into")
    save.set_defaults(func=_backup)
    members = command("import-members", help="existing members from a CSV file "
                             "(slug,name,matrix,discourse); only what it would do without --apply")
    members.add_argument("--config", required=True)
    members.add_argument("--group", required=True)
    members.add_argument("file", help="the CSV file")
    members.add_argument("--apply", action="store_true", help="do it (else only show it)")
    members.set_defaults(func=_import_members)
    return top



def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logs.configure(getattr(args, "log_format", "text"))
    try:
        return args.func(args)
    except ConfigError as error:
        print(f"configuration error:\n{error}", file=sys.stderr)
        return 2
    except DatabaseLocked as error:
        print(f"coopbot: {error}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
