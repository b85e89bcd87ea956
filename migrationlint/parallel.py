"""Linting many files: result-cache look-ups first, then the remaining files in this
process or, when there is enough work to pay for it, in several.

Results always come back in the order of the tasks, so the output does not depend
on the number of processes or on which files were cached. A streamed report
(engine.stream_paths) has each file rendered where it was linted: the main process
then only writes text, instead of reading every finding back and rendering it after
the workers are done.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
from typing import (
    TYPE_CHECKING, Callable, Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple, Union,
)

from migrationlint.engine import LintOptions, lint_one
from migrationlint.findings import FileError, Finding, Tally, failed_inputs
from migrationlint.readers import FRAMEWORK_SUFFIXES
from migrationlint.source import SkippedFile, read_bytes

if TYPE_CHECKING:
    from migrationlint.cache import ResultCache

FileResult = Tuple[List[Finding], List[FileError]]

# Starting workers and shipping results back costs about a tenth of a second; below
# this much SQL one process is faster (and the pre-commit case stays single-process).
PARALLEL_MIN_BYTES = 192 * 1024
PARALLEL_MIN_FILES = 4


class FileTask(NamedTuple):
    options: LintOptions
    display: str
    path: Optional[str] = None
    data: Optional[bytes] = None


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_tasks(
    tasks: Sequence[FileTask], jobs: int, cache: Optional["ResultCache"],
    render: Optional[Render] = None,
) -> Iterator[Result]:
    """Each task's result, in task order, as soon as it and those before it are done;
    with ``render``, each file's findings as report text (a RenderedFile) instead."""
    job = _Job(render, encode=cache is not None)
    ready: Dict[int, FileResult] = {}  # cache hits and unreadable files
    pending: List[Tuple[int, FileTask, Optional[str]]] = []
    keys = _Keys(cache) if cache is not None else None
    for index, task in enumerate(tasks):
        if cache is None:  # the worker that lints the file reads it
            pending.append((index, task, None))
            continue
        loaded = _with_data(task)
        if loaded is None:  # unreadable or skipped: lint_one reports why
            ready[index] = _lint_task(task)
            continue
        key = keys.of(loaded)
        hit = cache.get(key)
        if hit is not None:
            ready[index] = hit
        else:
            pending.append((index, loaded, key))

    computed = zip(pending, _lint_all([task for _, task, _ in pending], jobs, job))
    for index in range(len(tasks)):
        if index in ready:
            yield job.finish(ready.pop(index))
            continue
        (_, _, key), (result, payload) = next(computed)
        # An internal error may be fixed by the next release; do not remember it.
        # (Both forms of a result end with the file's errors.)
        if cache is not None and not failed_inputs(result[-1]):
            cache.put(key, payload)
        yield result


# The cache module is imported where it is used, so --no-cache runs never load it.
class _Keys:
    """Cache keys for the files of a run: the file's bytes, options and name, and the
    other files its reader reads. Files share a few LintOptions objects (one per folder
    override), folders and side files: each is described once."""

    def __init__(self, cache: "ResultCache") -> None:
        self.cache = cache
        self.options: Dict[int, str] = {}
        self.folders: Dict[str, str] = {}
        self.digests: Dict[str, Optional[str]] = {}

    def of(self, task: FileTask) -> str:
        from migrationlint.cache import options_fingerprint

        options_text = self.options.get(id(task.options))
        if options_text is None:
            options_text = self.options[id(task.options)] = options_fingerprint(task.options)
        return self.cache.key(task.data, options_text, task.display, self._side_files(task))

    def _side_files(self, task: FileTask) -> str:
        if task.path is None:
            return ""  # standard input: nothing beside it is read
        if task.path.lower().endswith(".py"):
            return self._replayed_migrations(task)
        if task.path.lower().endswith(FRAMEWORK_SUFFIXES):
            return ""  # a Liquibase changelog: includes and sqlFile are not followed
        return self._runner_files(task.path)  # SQL, whatever its suffix

    def _runner_files(self, path: str) -> str:
        """The convention's files that decide how a SQL script runs."""
        from migrationlint.cache import describe_files
        from migrationlint.readers.conventions import folder_side_files, script_side_files

        folder = os.path.dirname(os.path.abspath(path))
        described = self.folders.get(folder)
        if described is None:
            described = self.folders[folder] = describe_files(folder_side_files(folder),
                                                              self.digests)
        return f"{described}\n{describe_files(script_side_files(path), self.digests)}"

    def _replayed_migrations(self, task: FileTask) -> str:
        """A Django migration's earlier migrations, which its reader replays to know the
        models (db_table, nullability); an Alembic revision is read alone."""
        from migrationlint.cache import describe_files
        from migrationlint.readers import framework_of

        if framework_of(task.path, task.data.decode("utf-8", "replace")) != "django":
            return ""
        from migrationlint.readers.django import earlier_migrations

        return describe_files(earlier_migrations(task.path), self.digests)


def _encoded(result: FileResult) -> str:
    from migrationlint.cache import encode_result

    return encode_result(*result)


def _with_data(task: FileTask) -> Optional[FileTask]:
    if task.data is not None:
        return task
    try:
        return FileTask(task.options, task.display, task.path, read_bytes(task.path, task.display))
    except (OSError, SkippedFile):
        return None


def _lint_task(task: FileTask) -> FileResult:
    return lint_one(task.options, task.display, path=task.path, data=task.data)


class RenderedFile(NamedTuple):
    """A file's result with its findings rendered: the report text, and their tally."""

    text: str
    tally: Tally
    errors: List[FileError]


Render = Callable[[List[Finding]], str]
Result = Union[FileResult, RenderedFile]


class _Job(NamedTuple):
    """Lints a task in the process it runs in, and returns the result in the form the
    run needs: rendered when the report is streamed, with its JSON (``encode``) when
    the cache keeps it or it travels to another process as findings."""

    render: Optional[Render]
    encode: bool

    def __call__(self, task: FileTask) -> Tuple[Result, Optional[str]]:
        result = _lint_task(task)
        return self.finish(result), (_encoded(result) if self.encode else None)

    def finish(self, result: FileResult) -> Result:
        if self.render is None:
            return result
        findings, errors = result
        return RenderedFile(self.render(findings), Tally.of(findings), errors)


def _size(task: FileTask) -> int:
    if task.data is not None:
        return len(task.data)
    try:
        return os.path.getsize(task.path)
    except OSError:
        return 0  # lint_one reports why


def _lint_all(tasks: List[FileTask], jobs: int, job: _Job) -> Iterator[Tuple[Result, Optional[str]]]:
    """``job`` of each task in order. A generator: a worker's payload is dropped as
    soon as it has been read."""
    size = sum(_size(task) for task in tasks)
    workers = min(jobs, len(tasks))
    done = 0
    if workers >= 2 and len(tasks) >= PARALLEL_MIN_FILES and size >= PARALLEL_MIN_BYTES:
        from concurrent.futures import BrokenExecutor

        try:
            for outcome in _in_processes(tasks, workers, job):
                yield outcome
                done += 1
        # No process support here (sandbox, odd platform) or a worker died: this process
        # lints the rest. Anything else (a job that cannot be sent) is a bug to report.
        except (OSError, NotImplementedError, ImportError, BrokenExecutor):
            pass
    for task in tasks[done:]:
        yield job(task)


def _in_worker(job: _Job, task: FileTask) -> Tuple[Optional[Result], Optional[str]]:
    result, payload = job(task)
    # Unrendered findings travel as their JSON alone: pydantic reads it several times
    # faster than it unpickles the same models.
    return (None if job.render is None else result), payload


def _in_processes(tasks: List[FileTask], workers: int, job: _Job) -> Iterator[Tuple[Result, Optional[str]]]:
    """``job`` of each task, run by worker processes, in order."""
    # Imported here: a small run never needs them, and they cost 15 ms to import.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from migrationlint.cache import decode_result

    if job.render is None:
        job = job._replace(encode=True)
    # fork shares the already imported modules, so workers start in milliseconds;
    # macOS and Windows only offer spawn safely, which costs an import per worker.
    method = "fork" if sys.platform.startswith("linux") else None
    context = multiprocessing.get_context(method)
    # Many small chunks per worker keep all busy to the end: the run waits for the
    # last chunk, and a chunk costs a few tenths of a millisecond to hand over.
    chunk = max(1, len(tasks) // (workers * 32))
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    interrupted = False
    try:
        with _interrupts_held():  # the workers start (fork) in the first submission
            results = pool.map(functools.partial(_in_worker, job), tasks, chunksize=chunk)
        for result, payload in results:
            yield (result if result is not None else decode_result(payload)), payload
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        # On Ctrl-C drop the chunks not yet started: the workers ignore SIGINT and would
        # finish the whole run. Only then: after a job that failed to pickle, cancelling
        # can leave CPython 3.11's pool waiting forever for a result.
        pool.shutdown(wait=True, cancel_futures=interrupted)


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Ctrl-C reaches every process of the terminal's group, but only this one should
    act on it: a worker would print a traceback of its own. Workers are started with
    SIGINT blocked, which they inherit and keep (across exec too, for spawn); here it is
    held while they start and delivered after. Windows has no signal masks; a Ctrl-C
    there reaches only the console's foreground process anyway."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
