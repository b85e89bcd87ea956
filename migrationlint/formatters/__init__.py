"""Output formats. Each module in this package is one format named after the module
and defines ``render(report, options) -> str``, and ``chunks(report, options)`` (the
same text in pieces) when its output can be written as it is made. A format whose
report is each file's findings in turn, then a closing part, also defines
``file_text(findings, options)`` and ``closing(totals, options)``: its report can be
streamed while files are linted. Modules are imported only when used."""

from __future__ import annotations

import importlib
import pkgutil
from types import MappingProxyType, ModuleType
from typing import IO, Callable, List, Mapping, NamedTuple, Optional

from migrationlint.findings import LintReport


class RenderOptions(NamedTuple):
    color: bool = False
    # The folder CI formats (SARIF, GitHub, GitLab, JUnit) make paths relative to: the
    # git repository root or --sarif-root, found by the CLI so formatters only render.
    root: str = "."
    # Format-specific settings (for example the SARIF source root), by name.
    extras: Mapping[str, object] = MappingProxyType({})


def available_formats() -> List[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def _module(name: str) -> ModuleType:
    if name not in available_formats():
        raise ValueError(f"unknown format {name!r}")
    return importlib.import_module(f"{__name__}.{name}")


def streamer(name: str) -> Optional[ModuleType]:
    """The format's module when its report can be streamed file by file, else None."""
    module = _module(name)
    return module if hasattr(module, "file_text") and hasattr(module, "closing") else None


def writer(name: str) -> Callable[[LintReport, RenderOptions, IO[str]], None]:
    """Writes the report to a stream; piece by piece when the format allows it."""
    module = _module(name)

    def write(report: LintReport, options: RenderOptions, stream: IO[str]) -> None:
        if hasattr(module, "chunks"):
            stream.writelines(module.chunks(report, options))
        else:
            stream.write(module.render(report, options))

    return write
