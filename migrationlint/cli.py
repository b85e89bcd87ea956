"""The command line: ``migrationlint check | rules | explain``."""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import sys
from typing import List, NamedTuple, Optional, Sequence, Set

import click

from migrationlint import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# 128 + SIGINT, as shells report a program stopped by Ctrl-C: a hook or CI step must not
# read an interrupted run as "findings" (1).
EXIT_INTERRUPTED = 130
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
    if os.environ.get("TERM") == "dumb":  # a terminal that shows escape codes as text
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def _split(values: Sequence[str]) -> List[str]:
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def _fail(message: str) -> "click.exceptions.Exit":
    click.echo(f"migrationlint: error: {message}", err=True)
    return click.exceptions.Exit(EXIT_ERROR)


class _Cli(click.Group):
    def parse_args(self, ctx: click.Context, args: List[str]) -> List[str]:
        # No command: the help, on standard error with the usage-error status, as click
        # 8.2+ and ruff do; click 8.1 (the newest for Python 3.9) printed it to standard
        # output and exited 0, so a CI step missing its command would have passed.
        if not args and not ctx.resilient_parsing:
            click.echo(ctx.get_help(), err=True)
            ctx.exit(EXIT_ERROR)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        # click itself turns Ctrl-C into "Aborted!" and exit 1; catch it before it can.
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("\nmigrationlint: interrupted", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="migrationlint")
def cli() -> None:
    """Lint database migrations for backward compatibility, locks and non-transactional DDL."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--dialect", type=click.Choice(DIALECTS), help="SQL dialect [default: postgres, or from config].")
@click.option("--target-version", metavar="VERSION", help="Database version the migrations run on, e.g. 16 or 8.0.29.")
@click.option("--format", "output_format", default="text", show_default=True, metavar="FORMAT",
              help="Output format: text, concise (one line a finding, as ruff's), json, sarif, "
              "github, gitlab or junit (any case).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report to FILE.")
@click.option("--select", multiple=True, metavar="RULES", help="Only these rules (codes, names or code prefixes; comma separated).")
@click.option("--ignore", multiple=True, metavar="RULES", help="Skip these rules.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Use this config file instead of discovering one.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N",
              help="Lint with up to N processes [default: the number of cores].")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Colour the text report: auto colours a terminal, unless NO_COLOR is set or "
              "TERM is dumb (FORCE_COLOR colours any stream).")
@click.option("--stdin-filename", metavar="PATH", help="Name to report for input read from `-` (which it needs).")
@click.option("--sarif-root", type=click.Path(file_okay=False), metavar="DIR",
              help="SARIF paths are relative to DIR [default: the git repository root].")
@click.option("--sarif-category", metavar="CATEGORY",
              help="SARIF automationDetails.id: the GitHub code scanning category.")
@click.option("--since", metavar="REF",
              help="Only migration files added or changed since the git ref (committed, "
              "staged or untracked), e.g. origin/main.")
@click.option("--fix", "apply_fix", is_flag=True, help="Apply the mechanical, meaning-preserving fixes to the files, then report what is left.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Print the fixes as a unified diff instead of applying them, even with --fix "
              "(as ruff); exit 1 if there are any.")
@click.option("--statistics", is_flag=True,
              help="Print how many findings each rule has instead of the findings (text or "
              "concise format).")
def check(paths, dialect, target_version, output_format, output, select, ignore, exit_zero,
          config_path, no_cache, jobs, color, stdin_filename, sarif_root, sarif_category, since,
          apply_fix, show_diff, statistics) -> None:
    """Lint migration files and folders (`-` reads standard input)."""
    from migrationlint.formatters import available_formats, streamer

    output_format = output_format.lower()
    if output_format not in available_formats():
        raise _fail(f"unknown format `{output_format}`; choose from {', '.join(available_formats())}")
    if "-" in paths and (since or apply_fix or show_diff):
        raise _fail("--since, --fix and --diff work on files, not on `-` (standard input)")
    if stdin_filename is not None and "-" not in paths:
        raise _fail("--stdin-filename names standard input: add `-` to the paths to read it")
    if statistics and (output_format not in ("text", "concise") or show_diff):
        raise _fail("--statistics prints a text table: it goes with the text or concise "
                    "format, and not with --diff")
    loaded, resolver = _settings(config_path, dialect, target_version, select, ignore)
    run = _Run(loaded, resolver, paths, stdin_filename, jobs, no_cache, since)
    how = _Output(output_format, output, color, sarif_root, {"sarif_category": sarif_category})
    # Counting every rule's findings needs them all: --statistics never streams.
    form = None if statistics else streamer(output_format)
    if apply_fix or show_diff or form is None:
        report = run.lint()
        if apply_fix or show_diff:
            report = _fix(run, report, show_diff)
        totals = _write_report(report, how, statistics)
    else:
        totals = _stream_report(run, how, form)
    if totals.files == 0 and not totals.errors and run.stdin is None and not run.quiet_skips:
        _warn_nothing_found(run.paths_not_said_skipped(), since)
    if totals.has_errors:
        raise click.exceptions.Exit(EXIT_ERROR)
    if totals.tally.failing and not exit_zero:
        raise click.exceptions.Exit(EXIT_FINDINGS)


def _warn_nothing_found(paths: Sequence[str], since: Optional[str]) -> None:
    """As ruff does: an empty run exits 0 (a pre-commit run or a CI job with nothing
    to lint is fine), but a wrong path or a folder of other files should not pass
    unnoticed behind "All checks passed". On standard error: reports stay as they are.
    ``paths``: the named paths that no skip warning already explains (none: no warning)."""
    if not paths:
        return
    where = paths[0] if len(paths) == 1 else "the given paths"
    changed = f" that changed since {since}" if since is not None else ""
    click.echo(f"migrationlint: warning: no migration files found in {where}{changed}", err=True)


def _settings(config_path, dialect, target_version, select, ignore):
    """The configuration and the per-file options it gives, or a usage error (exit 2)."""
    from migrationlint.config import ConfigError, load_settings
    from migrationlint.profile import OptionsResolver
    from migrationlint.selection import SelectionError

    try:
        loaded = load_settings(config_path)
        return loaded, OptionsResolver(loaded, dialect, target_version, _split(select),
                                       _split(ignore))
    except (ConfigError, ValueError, SelectionError) as exc:
        raise _fail(str(exc))


class _Run:
    """What `check` lints and how; ``lint()`` can run again after --fix edits files."""

    def __init__(self, loaded, resolver, paths, stdin_filename, jobs, no_cache, since) -> None:
        from migrationlint.engine import STDIN_NAME
        from migrationlint.parallel import default_jobs

        self.loaded, self.resolver = loaded, resolver
        self.file_paths = [p for p in paths if p != "-"] or ([] if "-" in paths else ["."])
        self.stdin = None
        if "-" in paths:
            self.stdin = (sys.stdin.buffer.read(), stdin_filename or STDIN_NAME)
        self.jobs = jobs or default_jobs()
        self.cache = None if no_cache else _cache(loaded.root)
        self.only = _changed_since(since, self.file_paths) if since is not None else None
        # pre-commit sets PRE_COMMIT=1 and names every file its `files` pattern matches:
        # an Alembic env.py or a down script there is expected, not worth a warning.
        self.quiet_skips = os.environ.get("PRE_COMMIT") == "1"
        # The files said skipped (display paths): each is told once.
        self.skips_told: Set[str] = set()

    def lint(self):
        from migrationlint.engine import lint_paths

        self._collect_for_a_run()
        report = lint_paths(self._inputs(), jobs=self.jobs, cache=self.cache)
        return report.model_copy(update={"errors": self._set_aside_skips(report.errors)})

    def stream(self, render, write):
        from migrationlint.engine import stream_paths

        self._collect_for_a_run()
        totals = stream_paths(self._inputs(), render, write, jobs=self.jobs, cache=self.cache)
        return totals._replace(errors=self._set_aside_skips(totals.errors))

    def _set_aside_skips(self, errors) -> tuple:
        """``errors`` without the files skipped by convention (a down script, a named
        file that is no migration): no problem in the file, so no report of any format
        lists them, and each is one line on standard error (once, though --fix lints
        twice), as ruff warns of a skipped file. Under pre-commit discovery makes none."""
        for error in errors:
            if error.deliberate and error.path not in self.skips_told:
                self.skips_told.add(error.path)
                click.echo(f"migrationlint: warning: {error.message}", err=True)
        return tuple(error for error in errors if not error.deliberate)

    def paths_not_said_skipped(self) -> List[str]:
        """The named files and folders that no skip warning accounts for: where a run
        that linted nothing says no migration was found."""
        from migrationlint.discover import display_path

        cwd = os.getcwd()
        return [p for p in self.file_paths if display_path(p, cwd) not in self.skips_told]

    def _inputs(self):
        from migrationlint.engine import Inputs

        settings = self.loaded.settings
        return Inputs(self.file_paths, self.resolver.for_path, exclude=settings.exclude,
                      root=self.loaded.root, stdin=self.stdin, only=self.only,
                      quiet_skips=self.quiet_skips)

    @staticmethod
    def _collect_for_a_run() -> None:
        # A run makes many short-lived parse trees, and a report kept whole holds every
        # finding to the end: full collections, which rescan all findings, cost 7% of a
        # large run and free almost nothing (measured with bench/run.py), so they run far
        # less often (and at all again: main() turns collection off for start-up).
        gc.set_threshold(2000, 10, 100)
        if not gc.isenabled():
            # A run through main(): what start-up made (modules, classes, rule tables)
            # lives as long as the process, so no collection, the one at exit included,
            # need rescan it, and fork()ed workers do not copy its pages by touching it;
            # 4% of a 2,500-statement run. main(argv) unfreezes before it returns to a
            # calling program; CliRunner callers (tests) never freeze.
            gc.freeze()
        gc.enable()


def _cache(root: str):
    # Imported here: --no-cache runs (pre-commit hooks, editors) never need hashing or JSON.
    from migrationlint.cache import ResultCache

    return ResultCache(root)


def _changed_since(ref: str, paths: Sequence[str]):
    from migrationlint.gitdiff import GitError, changed_files

    try:
        return changed_files(ref, paths)
    except GitError as exc:
        raise _fail(str(exc))


def _fix(run: _Run, report, show_diff: bool):
    """--diff prints the mechanical fixes and exits; --fix writes them and lints again."""
    from migrationlint.fixing import planned_changes, write_changes

    changes = planned_changes(report)
    if show_diff:
        click.echo("".join(change.diff() for change in changes), nl=False)
        raise click.exceptions.Exit(EXIT_FINDINGS if changes else EXIT_OK)
    write_changes(changes)
    if not changes:
        return report
    click.echo(f"Fixed {len(changes)} file{'s' if len(changes) != 1 else ''}.", err=True)
    return run.lint()


class _Output(NamedTuple):
    """Where and how the report is written (the --format, --output, --color and
    SARIF options)."""

    format: str
    path: Optional[str]
    color: str
    sarif_root: Optional[str]
    extras: dict


@contextlib.contextmanager
def _opened(how: _Output):
    """The report's stream and the options to render it with. A report file is written
    under a temporary name beside it (ending in .tmp, so never linted as a migration)
    and renamed when complete: a run that fails or is interrupted leaves the previous
    report as it was. A device or pipe (``-o /dev/stdout``) is written directly."""
    if how.path is None:
        yield sys.stdout, _render_options(how, sys.stdout)
        return
    real = os.path.realpath(how.path)  # through a symbolic link, which stays one
    temporary = None
    if not os.path.exists(real) or os.path.isfile(real):
        temporary = f"{real}.{os.getpid()}.tmp"
    try:
        stream = open(temporary or real, "w", encoding="utf-8")
    except OSError as exc:
        raise _fail(f"cannot write {how.path}: {exc.strerror or exc}")
    try:
        with stream:
            yield stream, _render_options(how, stream)
        if temporary is not None:
            try:
                os.replace(temporary, real)
            except OSError as exc:
                raise _fail(f"cannot write {how.path}: {exc.strerror or exc}")
    finally:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)


def _render_options(how: _Output, stream):
    from migrationlint.discover import repository_root
    from migrationlint.formatters import RenderOptions

    return RenderOptions(color=_use_color(how.color, stream),
                         root=how.sarif_root or repository_root(), extras=how.extras)


def _write_report(report, how: _Output, statistics: bool = False):
    from migrationlint.formatters import writer
    from migrationlint.formatters.text import rule_statistics

    with _opened(how) as (stream, options):
        if statistics:
            stream.writelines(rule_statistics(report, options))
        else:
            writer(how.format)(report, options, stream)
    return report.totals


def _stream_report(run: _Run, how: _Output, form):
    """Lint and write each file's findings as soon as they are ready, then the end;
    ``form``: the format's module (formatters.streamer)."""
    with _opened(how) as (stream, options):
        totals = run.stream(functools.partial(form.file_text, options=options), stream.write)
        stream.writelines(form.closing(totals, options))
    return totals


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


# pydantic looks for plugins in the metadata of every installed distribution when it
# builds its first validator: 2 ms with 30 distributions, 19 ms with 120. Our models are
# internal, with nothing for a plugin to observe, so main() turns the search off with
# pydantic's documented switch while it runs; a value the user set wins.
_PYDANTIC_PLUGINS = "PYDANTIC_DISABLE_PLUGINS"


def main(argv: Optional[Sequence[str]] = None) -> None:
    # Importing sqlglot and pydantic and defining the models makes hundreds of thousands
    # of objects and no garbage: collecting while they are made costs a tenth of the
    # start-up of a one-file run. _Run.lint turns collection back on before linting.
    gc.disable()
    user_set_plugins = _PYDANTIC_PLUGINS in os.environ
    os.environ.setdefault(_PYDANTIC_PLUGINS, "__all__")
    try:
        cli.main(args=argv, prog_name="migrationlint", standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:  # no traceback ever reaches the user
        if os.environ.get("MIGRATIONLINT_DEBUG"):
            raise
        click.echo(f"migrationlint: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    finally:
        gc.enable()
        if argv is not None:
            # Called from another program, which lives on: hand what lint() froze back
            # to the collector (the command-line program keeps it frozen until it exits).
            gc.unfreeze()
        if not user_set_plugins:
            os.environ.pop(_PYDANTIC_PLUGINS, None)
