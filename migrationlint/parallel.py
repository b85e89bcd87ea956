"""Linting many files: result-cache look-ups first, then the remaining files in this
process or, when there is enough work to pay for it, in several.

Results always come back in the order of the tasks, so the output does not depend
on the number of processes or on which files were cached.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple

from migrationlint.engine import LintOptions, lint_one
from migrationlint.findings import FileError, Finding
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


def run_tasks(tasks: Sequence[FileTask], jobs: int, cache: Optional["ResultCache"]) -> List[FileResult]:
    results: List[Optional[FileResult]] = [None] * len(tasks)
    pending: List[Tuple[int, FileTask, Optional[str]]] = []
    # Files share a few LintOptions objects (one per folder override): describe each once.
    fingerprints: Dict[int, str] = {}
    for index, task in enumerate(tasks):
        if cache is None:  # the worker that lints the file reads it
            pending.append((index, task, None))
            continue
        loaded = _with_data(task)
        if loaded is None:  # unreadable or skipped: lint_one reports why
            results[index] = lint_one(task.options, task.display, path=task.path)
            continue
        key = _cache_key(cache, loaded, fingerprints)
        hit = cache.get(key)
        if hit is not None:
            results[index] = hit
        else:
            pending.append((index, loaded, key))

    computed = _lint_all([task for _, task, _ in pending], jobs)
    for (index, _, key), (result, payload) in zip(pending, computed):
        results[index] = result
        # An internal error may be fixed by the next release; do not remember it.
        if cache is not None and not any(e.level == "error" for e in result[1]):
            cache.put(key, payload if payload is not None else _encoded(result))
    return results


# The cache module is imported where it is used, so --no-cache runs never load it.
def _cache_key(cache: "ResultCache", task: FileTask, fingerprints: Dict[int, str]) -> str:
    from migrationlint.cache import options_fingerprint

    options_text = fingerprints.get(id(task.options))
    if options_text is None:
        options_text = fingerprints[id(task.options)] = options_fingerprint(task.options)
    return cache.key(task.data, options_text, task.display)


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


def _size(task: FileTask) -> int:
    if task.data is not None:
        return len(task.data)
    try:
        return os.path.getsize(task.path)
    except OSError:
        return 0  # lint_one reports why


def _lint_task_encoded(task: FileTask) -> str:
    return _encoded(_lint_task(task))


def _lint_all(tasks: List[FileTask], jobs: int) -> Iterator[Tuple[FileResult, Optional[str]]]:
    """Each task's result in order, with its encoded form when a worker process sent
    it. A generator: a worker's payload is dropped as soon as it has been read."""
    size = sum(_size(task) for task in tasks)
    workers = min(jobs, len(tasks))
    done = 0
    if workers >= 2 and len(tasks) >= PARALLEL_MIN_FILES and size >= PARALLEL_MIN_BYTES:
        try:
            for result, payload in _in_processes(tasks, workers):
                yield result, payload
                done += 1
        except Exception:  # no process support here (sandbox, odd platform): one process
            pass
    for task in tasks[done:]:
        yield _lint_task(task), None


def _in_processes(tasks: List[FileTask], workers: int) -> Iterator[Tuple[FileResult, str]]:
    """Each task's result with the encoded form the worker sent it in."""
    # Imported here: a small run never needs them, and they cost 15 ms to import.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from migrationlint.cache import decode_result

    # fork shares the already imported modules, so workers start in milliseconds;
    # macOS and Windows only offer spawn safely, which costs an import per worker.
    method = "fork" if sys.platform.startswith("linux") else None
    context = multiprocessing.get_context(method)
    # Several chunks per worker keep both busy when files differ in size.
    chunk = max(1, len(tasks) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for payload in pool.map(_lint_task_encoded, tasks, chunksize=chunk):
            yield decode_result(payload), payload
