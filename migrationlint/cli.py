"""The command line: ``migrationlint check | rules | explain``."""

from __future__ import annotations

import gc
import os
import sys
from typing import List, Optional, Sequence

import click

from migrationlint import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
DIALECTS = ("postgres", "mysql", "mariadb")


def _use_color(choice: str, stream) -> bool:
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def _split(values: Sequence[str]) -> List[str]:
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def _fail(message: str) -> "click.exceptions.Exit":
    click.echo(f"migrationlint: error: {message}", err=True)
    return click.exceptions.Exit(EXIT_ERROR)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="migrationlint")
def cli() -> None:
    """Lint database migrations for backward compatibility, locks and non-transactional DDL."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--dialect", type=click.Choice(DIALECTS), help="SQL dialect [default: postgres, or from config].")
@click.option("--target-version", metavar="VERSION", help="Database version the migrations run on, e.g. 16 or 8.0.29.")
@click.option("--format", "output_format", default="text", show_default=True, metavar="FORMAT",
              help="Output format: text, json, ... (see `migrationlint check --help-formats`).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report to FILE.")
@click.option("--select", multiple=True, metavar="RULES", help="Only these rules (codes, names or code prefixes; comma separated).")
@click.option("--ignore", multiple=True, metavar="RULES", help="Skip these rules.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Use this config file instead of discovering one.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N",
              help="Lint with up to N processes [default: the number of cores].")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@click.option("--stdin-filename", metavar="PATH", help="Name to report for input read from `-`.")
def check(paths, dialect, target_version, output_format, output, select, ignore, exit_zero,
          config_path, no_cache, jobs, color, stdin_filename) -> None:
    """Lint migration files and folders (`-` reads standard input)."""
    from migrationlint.cache import ResultCache
    from migrationlint.config import ConfigError, load_settings
    from migrationlint.engine import STDIN_NAME, lint_paths
    from migrationlint.formatters import RenderOptions, available_formats, renderer
    from migrationlint.parallel import default_jobs
    from migrationlint.profile import OptionsResolver
    from migrationlint.selection import SelectionError

    if output_format not in available_formats():
        raise _fail(f"unknown format `{output_format}`; choose from {', '.join(available_formats())}")
    try:
        loaded = load_settings(config_path)
    except ConfigError as exc:
        raise _fail(str(exc))
    try:
        resolver = OptionsResolver(loaded, dialect, target_version, _split(select), _split(ignore))
    except (ValueError, SelectionError) as exc:
        raise _fail(str(exc))

    stdin = None
    file_paths = [p for p in paths if p != "-"]
    if "-" in paths:
        stdin = (click.get_binary_stream("stdin").read(), stdin_filename or STDIN_NAME)
    elif not paths:
        file_paths = ["."]
    # A run makes many short-lived parse trees and keeps every finding to the end:
    # full collections, which rescan all findings, cost 7% of a large run and free
    # almost nothing (measured with bench/run.py), so they run far less often.
    gc.set_threshold(2000, 10, 100)
    report = lint_paths(file_paths, resolver.for_path, exclude=loaded.settings.exclude,
                        root=loaded.root, stdin=stdin, jobs=jobs or default_jobs(),
                        cache=None if no_cache else ResultCache(loaded.root))

    stream = open(output, "w", encoding="utf-8") if output else click.get_text_stream("stdout")
    try:
        text = renderer(output_format)(report, RenderOptions(color=_use_color(color, stream)))
        stream.write(text)
    finally:
        if output:
            stream.close()
    if report.has_errors:
        raise click.exceptions.Exit(EXIT_ERROR)
    if report.has_failing_findings and not exit_zero:
        raise click.exceptions.Exit(EXIT_FINDINGS)


@cli.command("rules")
@click.option("--dialect", type=click.Choice(DIALECTS), help="Only rules for this dialect.")
def list_rules(dialect: Optional[str]) -> None:
    """List every rule: code, name, severity, dialects and summary."""
    from migrationlint.rules import all_rules

    rows = [r for r in all_rules().values() if dialect is None or r.applies_to(dialect)]
    name_width = max(len(r.name) for r in rows)
    for info in rows:
        dialects = ",".join(info.dialects)
        click.echo(f"{info.code}  {info.name.ljust(name_width)}  {info.severity.value:<7}  "
                   f"{dialects:<22}  {info.summary}")


@cli.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Print the documentation page of a rule (code or name)."""
    from migrationlint.docs import rule_page
    from migrationlint.rules import find_rule

    info = find_rule(rule)
    if info is None:
        raise _fail(f"unknown rule `{rule}` (see `migrationlint rules`)")
    page = rule_page(info.name)
    if page is None:
        click.echo(f"{info.code} [{info.name}] ({info.severity.value})\n\n{info.summary}")
        return
    click.echo(page.rstrip("\n"))


def main(argv: Optional[Sequence[str]] = None) -> None:
    try:
        cli.main(args=argv, prog_name="migrationlint", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # no traceback ever reaches the user
        if os.environ.get("MIGRATIONLINT_DEBUG"):
            raise
        click.echo(f"migrationlint: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_ERROR)
