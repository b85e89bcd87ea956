"""How InnoDB runs each ALTER TABLE operation on a given MySQL or MariaDB version.

Ground truth: the MySQL 5.7 / 8.0 / 8.4 online DDL tables and the MariaDB knowledge base
(see /shared/reference/locks.md, part 2). ``ROWS`` is that table; ``classify`` maps one
operation of the model to a row (using what the file shows about the column's old type),
and ``plan`` combines a statement's operations with its ALGORITHM= / LOCK= clauses.

Its value types are NamedTuples: every run imports this module through the rule
registry, and each frozen dataclass cost half a millisecond to define.
"""

from __future__ import annotations

import enum
import re
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

from migrationlint import model as m
from migrationlint.versions import Version


class Algorithm(enum.IntEnum):
    INSTANT = 0
    INPLACE = 1
    COPY = 2


class Row(NamedTuple):
    """One line of the online DDL table. ``instant_*`` is the first version with INSTANT
    (None: never). ``rebuild`` and ``concurrent_dml`` describe the INPLACE (or, without
    INPLACE, the COPY) path; the INSTANT path never rebuilds and never blocks writes."""

    instant_mysql: Optional[Tuple[int, ...]]
    instant_mariadb: Optional[Tuple[int, ...]]
    inplace: bool
    rebuild: bool
    concurrent_dml: bool
    metadata_only: bool = False
    # MySQL before 8.0 (5.7) runs these with COPY and no concurrent writes.
    copy_before_80: bool = False


_ADD_COLUMN = Row((8, 0, 12), (10, 3, 2), True, True, True)
ROWS: Dict[str, Row] = {
    # indexes
    "add_index": Row(None, None, True, False, True),
    "drop_index": Row(None, None, True, False, True, metadata_only=True),
    "rename_index": Row(None, None, True, False, True, metadata_only=True),
    "index_visibility": Row(None, None, True, False, True, metadata_only=True),
    "add_fulltext_index": Row(None, None, True, True, False),
    "add_spatial_index": Row(None, None, True, False, False),
    "add_primary_key": Row(None, None, True, True, True),
    "drop_primary_key": Row(None, None, False, True, False),
    "replace_primary_key": Row(None, None, True, True, True),
    # columns
    "add_column": _ADD_COLUMN,
    "add_column_positioned": _ADD_COLUMN._replace(instant_mysql=(8, 0, 29), instant_mariadb=(10, 4)),
    "add_auto_increment_column": Row(None, None, True, True, False),
    "add_stored_generated_column": Row(None, None, False, True, False),
    "add_virtual_generated_column": Row((8, 0, 12), (10, 3, 2), True, False, True, True),
    "add_column_expression_default": Row(None, None, False, True, False),
    "drop_column": Row((8, 0, 29), (10, 4), True, True, True),
    "rename_column": Row((8, 0, 28), None, True, False, True, metadata_only=True),
    "set_default": Row((8, 0, 12), (10, 3, 7), True, False, True, metadata_only=True),
    "change_column_type": Row(None, None, False, True, False),
    "widen_varchar": Row(None, (10, 4), True, False, True, metadata_only=True),
    "widen_varchar_across_length_bytes": Row(None, None, False, True, False),
    "make_not_null": Row(None, None, True, True, True),
    "make_nullable": Row(None, None, True, True, True),
    "append_enum_values": Row((8, 0, 12), (10, 3, 7), True, False, True, metadata_only=True),
    "reorder_column": Row(None, None, True, True, True),
    # constraints
    "add_foreign_key": Row(None, None, False, True, False),
    "add_foreign_key_unchecked": Row(None, None, True, False, True, metadata_only=True),
    "drop_constraint": Row(None, None, True, False, True, metadata_only=True),
    "add_check": Row(None, None, False, True, False),
    # table options
    "row_format": Row(None, None, True, True, True),
    "table_charset": Row(None, None, True, True, True),
    "convert_charset": Row(None, None, True, True, False, copy_before_80=True),
    "null_rebuild": Row(None, None, True, True, True),
    "change_engine": Row(None, None, False, True, False),
    "encryption": Row(None, None, False, True, False),
    "metadata_option": Row(None, None, True, False, True, metadata_only=True),
    "optimize_table": Row(None, None, True, True, True),
    "rename_table": Row((8, 0, 12), (10, 3, 7), True, False, True, metadata_only=True),
    # partitions
    "repartition": Row(None, None, False, True, False),
    "add_range_partition": Row(None, None, True, False, True, copy_before_80=True),
    # HASH / KEY: the rows are redistributed, with LOCK=SHARED at best.
    "add_hash_partition": Row(None, None, True, False, False, copy_before_80=True),
    "drop_partition": Row(None, None, True, False, True, copy_before_80=True),
    "reorganize_partitions": Row(None, None, True, False, False, copy_before_80=True),
    "partition_maintenance": Row(None, None, True, False, True, metadata_only=True),
    "rebuild_partitions": Row(None, None, False, True, False),
}

_CHARSET_BYTES = {
    "utf8mb4": 4, "utf8mb3": 3, "utf8": 3, "latin1": 1, "ascii": 1, "binary": 1, "ucs2": 2,
    "utf16": 4, "utf32": 4, "cp1252": 1, "latin2": 1, "gbk": 2, "big5": 2, "sjis": 2,
}
DEFAULT_CHARSET = "utf8mb4"
_TYPE = re.compile(r"^\s*(\w+)\s*(?:\((.*)\))?", re.S)


class Target(NamedTuple):
    dialect: str
    version: Version

    @property
    def mariadb(self) -> bool:
        return self.dialect == "mariadb"

    def instant_since(self, row: Row) -> bool:
        since = row.instant_mariadb if self.mariadb else row.instant_mysql
        return since is not None and self.version.at_least(*since)

    @property
    def before_80(self) -> bool:
        return not self.mariadb and self.version.below(8)

    @property
    def instant_column_defect(self) -> bool:
        """MySQL 8.0.29-8.0.31: the 8.0.29 redo format for INSTANT ADD/DROP COLUMN could
        corrupt tables on crash recovery, and XtraBackup refuses such tables up to 8.0.31."""
        parts = self.version.parts
        return not self.mariadb and len(parts) == 3 and parts[:2] == (8, 0) and 29 <= parts[2] <= 31

    @property
    def copy_allows_writes(self) -> bool:
        """MariaDB 11.4 runs ALGORITHM=COPY with LOCK=NONE (online change buffer)."""
        return self.mariadb and self.version.at_least(11, 4)


class Support(NamedTuple):
    """How the server runs one operation at the target version."""

    kind: str
    what: str
    best: Algorithm
    rebuild: bool
    concurrent_dml: bool
    metadata_only: bool
    # The verdict depends on the column's current definition, which this file does not
    # show; the server decides, so ALGORITHM/LOCK clauses make it safe.
    uncertain: bool = False
    # When the server, asked for no ALGORITHM/LOCK, silently runs this operation slower or
    # with a stronger lock than ``best`` because of what the table is (None: it cannot).
    fallback: Optional[str] = None

    @property
    def instant(self) -> bool:
        return self.best == Algorithm.INSTANT


def support(kind: str, what: str, target: Target, uncertain: bool = False,
            instant: bool = True) -> Support:
    """``instant=False``: the statement has a clause that cannot run INSTANT, which makes
    the whole statement non-instant."""
    row = ROWS[kind]
    if instant and target.instant_since(row):
        return Support(kind, what, Algorithm.INSTANT, False, True, row.metadata_only, uncertain,
                       _instant_fallback(kind, target))
    inplace = row.inplace and not (row.copy_before_80 and target.before_80)
    if inplace:
        return Support(kind, what, Algorithm.INPLACE, row.rebuild, row.concurrent_dml,
                       row.metadata_only, uncertain)
    writes = target.copy_allows_writes and kind != "add_auto_increment_column"
    return Support(kind, what, Algorithm.COPY, True, writes, False, uncertain)


_INSTANT_COLUMN_CHANGES = ("add_column", "add_column_positioned", "drop_column")


def _instant_fallback(kind: str, target: Target) -> Optional[str]:
    """Why an INSTANT column change may silently become a table rebuild. Other INSTANT
    operations only change metadata and have no slower algorithm to fall back to."""
    if kind not in _INSTANT_COLUMN_CHANGES:
        return None
    if target.mariadb:
        return ("on a table with ROW_FORMAT=COMPRESSED (among other table properties that rule "
                "out INSTANT) the server silently rebuilds the table instead")
    return ("on a table with a FULLTEXT index or ROW_FORMAT=COMPRESSED, or one that has "
            "reached the limit of instant column changes (64 row versions on 8.0), the server "
            "silently rebuilds the table instead")


# -- operation → row --------------------------------------------------------------
class Facts(NamedTuple):
    """What the file shows around the statement: column types defined earlier and
    session settings in effect."""

    old_type: Callable[[m.ObjectName, m.Ident], Optional[str]]
    foreign_key_checks_off: bool = False
    # Whether the column is NOT NULL before the statement; None: the file does not say.
    old_not_null: Callable[[m.ObjectName, m.Ident], Optional[bool]] = lambda table, column: None


def classify(op: m.Operation, target: Target, facts: Facts, quote: Callable) -> Optional[Support]:
    """The Support of one operation, or None when it is not an online-DDL concern."""
    q = quote
    if isinstance(op, m.AddColumn):
        return support(_add_column_kind(op.column), f"adding column {q(op.column.name)}", target)
    if isinstance(op, m.DropColumn):
        return support("drop_column", f"dropping column {q(op.column)}", target)
    if isinstance(op, m.RenameColumn):
        return support("rename_column", f"renaming column {q(op.column)}", target)
    if isinstance(op, (m.SetDefault, m.DropDefault)):
        return support("set_default", f"changing the default of {q(op.column)}", target)
    if isinstance(op, m.AlterColumnType):
        return _modify_column(op, target, facts, q)
    if isinstance(op, m.CreateIndex):
        kind = {"fulltext": "add_fulltext_index", "spatial": "add_spatial_index"}.get(
            op.index_kind or "", "add_index")
        label = f"{op.index_kind.upper()} " if op.index_kind else ""
        return support(kind, f"adding {label}index {q(op.name) if op.name else ''}".rstrip(), target)
    if isinstance(op, m.DropIndex):
        return support("drop_index", f"dropping index {q(op.name)}", target)
    if isinstance(op, m.RenameIndex):
        return support("rename_index", f"renaming index {q(op.name)}", target)
    if isinstance(op, m.AlterIndexVisibility):
        return support("index_visibility", f"changing the visibility of index {q(op.name)}", target)
    if isinstance(op, m.DropPrimaryKey):
        return support("drop_primary_key", "dropping the primary key", target)
    if isinstance(op, m.AddConstraint):
        return _add_constraint(op, target, facts)
    if isinstance(op, m.DropConstraint):
        return support("drop_constraint", f"dropping constraint {q(op.name)}", target)
    if isinstance(op, m.TableOption):
        return _table_option(op, target)
    if isinstance(op, m.TableMaintenance) and op.action == "optimize":
        return support("optimize_table", "OPTIMIZE TABLE (a full table rebuild)", target)
    if isinstance(op, m.PartitionChange):
        return _partition(op, target)
    if isinstance(op, m.RenameTable):
        return support("rename_table", "renaming the table", target)
    return None


def _add_column_kind(column: m.ColumnSpec) -> str:
    if column.auto_increment:
        return "add_auto_increment_column"
    if column.generated_stored:
        return "add_stored_generated_column"
    if column.generated_virtual:
        return "add_virtual_generated_column"
    if column.default is not None and column.default.sql.startswith("("):
        return "add_column_expression_default"  # DEFAULT (expr): ER 1845 with INSTANT
    if column.position:
        return "add_column_positioned"
    return "add_column"


def _add_constraint(op: m.AddConstraint, target: Target, facts: Facts) -> Support:
    if op.kind == "primary_key":
        return support("add_primary_key", "adding a primary key", target)
    if op.kind == "foreign_key":
        kind = "add_foreign_key_unchecked" if facts.foreign_key_checks_off else "add_foreign_key"
        return support(kind, "adding a foreign key", target)
    if op.kind == "check":
        return support("add_check", "adding a CHECK constraint (every row is checked)", target)
    return support("add_index", "adding a unique index", target)


def _table_option(op: m.TableOption, target: Target) -> Support:
    option, value = op.option, (op.value or "").lower()
    if option in ("row_format", "key_block_size"):
        return support("row_format", f"changing {option.upper()}", target)
    if option in ("charset", "collate"):
        return support("table_charset", "changing the table's default character set", target)
    if option == "convert_charset":
        return support("convert_charset", f"CONVERT TO CHARACTER SET {value}", target)
    if option == "engine" and value != "innodb":
        return support("change_engine", f"changing the engine to {op.value}", target)
    if option in ("engine", "force"):
        return support("null_rebuild", f"{'ENGINE=InnoDB' if option == 'engine' else 'FORCE'} "
                       "(a full table rebuild)", target)
    if option == "encryption":
        return support("encryption", "changing ENCRYPTION", target)
    return support("metadata_option", f"changing {option.upper()}", target)


def _partition(op: m.PartitionChange, target: Target) -> Support:
    action = op.action
    if action in ("partition_by", "remove_partitioning"):
        return support("repartition", "changing the partitioning", target)
    if action == "add":
        return support(f"add_{op.partitioning}_partition", "ADD PARTITION", target)
    if action == "drop":
        return support("drop_partition", "DROP PARTITION", target)
    if action in ("coalesce", "reorganize", "rebuild"):
        return support("reorganize_partitions", f"{action.upper()} PARTITION", target)
    if action in ("optimize", "discard", "import"):
        return support("rebuild_partitions", f"{action.upper()} PARTITION", target)
    return support("partition_maintenance", f"{action.upper()} PARTITION", target)


def _modify_column(op: m.AlterColumnType, target: Target, facts: Facts, q) -> Support:
    definition = op.definition
    column = q(op.column)
    if definition is not None and definition.position:
        return support("reorder_column", f"moving column {column} ({definition.position})", target)
    old = facts.old_type(op.table, op.column)
    if old is None:
        # MODIFY/CHANGE restate the column; without its current definition we cannot tell
        # a rename or VARCHAR widening (online) from a type change (COPY).
        return support("change_column_type", f"MODIFY/CHANGE of column {column}", target,
                       uncertain=True)
    charset = (definition.charset if definition else None) or DEFAULT_CHARSET
    kind = compare_types(old, op.new_type_sql, charset)
    what = {
        "change_column_type": f"changing the type of {column} from {old} to {op.new_type_sql}",
        "widen_varchar": f"widening {column} from {old} to {op.new_type_sql}",
        "widen_varchar_across_length_bytes": (
            f"widening {column} from {old} to {op.new_type_sql}, across the 255-byte "
            f"length-prefix boundary ({charset}: up to {charset_width(charset)} "
            f"byte{'s' if charset_width(charset) > 1 else ''} per character)"),
        "append_enum_values": f"appending values to {column}",
    }.get(kind, f"MODIFY of column {column}")
    if kind not in _NULLABILITY_KEEPS_ALGORITHM:
        return support(kind, what, target)  # COPY whatever the NULL-ability does
    was_not_null = facts.old_not_null(op.table, op.column)
    if was_not_null is None and op.not_null:  # maybe NULL today: then a rebuild
        return support("make_not_null", f"making {column} NOT NULL", target, uncertain=True)
    if was_not_null is not None and was_not_null != bool(op.not_null):
        # Changing the NULL-ability rebuilds the table, whatever else the MODIFY changes.
        if op.not_null:
            return support("make_not_null", f"making {column} NOT NULL", target)
        return support("make_nullable", f"making {column} nullable", target)
    if kind == "same_type":
        return support("rename_column", f"changing attributes of {column}", target,
                       uncertain=True)
    return support(kind, what, target)


# Type changes that run INSTANT or in place without a rebuild, unless the MODIFY also
# changes the column's NULL-ability (then they rebuild).
_NULLABILITY_KEEPS_ALGORITHM = ("same_type", "widen_varchar", "append_enum_values")


def charset_width(charset: str) -> int:
    """Maximum bytes per character; unknown character sets count as 4 (the worst case)."""
    return _CHARSET_BYTES.get(charset.lower(), 4)


def compare_types(old: str, new: str, charset: str = DEFAULT_CHARSET) -> str:
    """Classify a column type change: "same_type", "widen_varchar",
    "widen_varchar_across_length_bytes", "append_enum_values" or "change_column_type"."""
    old_match, new_match = _TYPE.match(old), _TYPE.match(new)
    if not old_match or not new_match:
        return "change_column_type"
    if _attributes(old, old_match) != _attributes(new, new_match):
        return "change_column_type"  # UNSIGNED, ZEROFILL or BINARY change what is stored
    old_name, new_name = old_match.group(1).upper(), new_match.group(1).upper()
    old_args, new_args = _args(old_match.group(2)), _args(new_match.group(2))
    if (old_name, old_args) == (new_name, new_args):
        return "same_type"
    if old_name == new_name == "VARCHAR" and old_args and new_args:
        old_len, new_len = int(old_args[0]), int(new_args[0])
        if new_len < old_len:
            return "change_column_type"
        width = charset_width(charset)
        if (old_len * width > 255) == (new_len * width > 255):
            return "widen_varchar"
        return "widen_varchar_across_length_bytes"
    if old_name == new_name and old_name in ("ENUM", "SET") and new_args[: len(old_args)] == old_args:
        if _enum_storage(old_name, len(old_args)) == _enum_storage(new_name, len(new_args)):
            return "append_enum_values"
    return "change_column_type"


def _attributes(type_sql: str, match: re.Match) -> Tuple[str, ...]:
    """The words after a type's name and arguments: ``INT UNSIGNED`` -> ("UNSIGNED",)."""
    return tuple(type_sql[match.end():].upper().split())


def varchar_length(type_sql: str) -> Optional[int]:
    """n of ``VARCHAR(n)``; None for other types."""
    match = _TYPE.match(type_sql)
    if not match or match.group(1).upper() != "VARCHAR":
        return None
    args = _args(match.group(2))
    return int(args[0]) if args and args[0].isdigit() else None


def _args(text: Optional[str]) -> Tuple[str, ...]:
    if not text:
        return ()
    return tuple(part.strip().lower() for part in re.split(r",(?=(?:[^']*'[^']*')*[^']*$)", text))


def _enum_storage(kind: str, members: int) -> int:
    if kind == "ENUM":
        return 1 if members <= 255 else 2
    return (members + 7) // 8


# -- a whole statement ------------------------------------------------------------
class Refusal(NamedTuple):
    """A requested clause the server certainly cannot honour, and the operation it is for."""

    support: Support
    clause: str
    # Where it stands the clause is a syntax error (ERROR 1064), not an unsupported request.
    syntax_error: bool = False


class Plan(NamedTuple):
    """A statement's operations with their Support, and its ALGORITHM= / LOCK= clauses."""

    table: m.ObjectName
    items: Tuple[Tuple[m.Operation, Support], ...]
    algorithm: Optional[str] = None
    lock: Optional[str] = None
    target: Optional[Target] = None
    # The clauses follow a partition command, which MySQL's grammar rejects.
    clause_after_command: bool = False

    @property
    def supports(self) -> List[Support]:
        return [s for _, s in self.items]

    def operation_of(self, support: Support) -> m.Operation:
        """The operation ``support`` was judged for (to point a finding at it)."""
        return next(op for op, judged in self.items if judged is support)

    @property
    def all_instant(self) -> bool:
        return all(s.instant for s in self.supports)

    @property
    def worst(self) -> Tuple[m.Operation, Support]:
        """The operation that decides the statement's cost."""
        return max(self.items, key=lambda item: (
            not item[1].concurrent_dml, item[1].best, item[1].rebuild, not item[1].uncertain))

    @property
    def requests_online(self) -> bool:
        """ALGORITHM=INSTANT, or LOCK=NONE (with INPLACE or none): the server refuses
        rather than block writes."""
        return self.algorithm == "INSTANT" or (
            self.lock == "NONE" and self.algorithm in (None, "INPLACE", "NOCOPY"))

    def refused_clause(self, target: Target) -> Optional[Refusal]:
        """A requested clause the server certainly cannot honour: the statement fails."""
        command = next((s for op, s in self.items
                        if isinstance(op, m.PartitionChange) and op.is_command), None)
        if command and (self.algorithm or self.lock) and (
                target.mariadb or self.clause_after_command):
            # A syntax error: MariaDB takes neither with a partition command, MySQL only before it.
            where = "" if target.mariadb else " after the partition command"
            return Refusal(command, f"ALGORITHM=/LOCK={where}", syntax_error=True)
        if self.algorithm == "INSTANT" and self.lock not in (None, "DEFAULT") and not target.mariadb:
            return Refusal(self.supports[0], f"ALGORITHM=INSTANT with LOCK={self.lock} (INSTANT "
                           "allows only LOCK=DEFAULT)")
        if self.algorithm == "COPY" and self.lock == "NONE" and not target.copy_allows_writes:
            # A table copy needs at least a shared lock (MariaDB 11.4 buffers the writes).
            return Refusal(self.worst[1], "ALGORITHM=COPY with LOCK=NONE")
        for support_ in self.supports:
            if support_.uncertain:
                continue
            if self.algorithm == "INSTANT" and not support_.instant:
                return Refusal(support_, "ALGORITHM=INSTANT")
            if self.algorithm in ("INPLACE", "NOCOPY") and support_.best == Algorithm.COPY:
                return Refusal(support_, f"ALGORITHM={self.algorithm}")
            if self.algorithm == "NOCOPY" and support_.rebuild:
                return Refusal(support_, "ALGORITHM=NOCOPY")
            if self.lock == "NONE" and not support_.concurrent_dml and self.algorithm != "INSTANT":
                return Refusal(support_, "LOCK=NONE")
        if self.algorithm == "INSTANT" and target.before_80:
            return Refusal(self.supports[0], "ALGORITHM=INSTANT")
        return None

    def blocks_writes(self, target: Target) -> Optional[str]:
        """Why the statement blocks writes as written, or None."""
        if self.lock in ("SHARED", "EXCLUSIVE"):
            return f"LOCK={self.lock} blocks writes for the whole operation"
        if self.algorithm == "COPY" and not (target.copy_allows_writes and self.lock in (None, "NONE")):
            return "ALGORITHM=COPY copies the table with writes blocked"
        _, worst = self.worst
        if not worst.concurrent_dml:
            if worst.best == Algorithm.COPY:
                return (f"{worst.what} runs with ALGORITHM=COPY, which blocks writes while "
                        "the table is copied")
            return f"{worst.what} does not permit concurrent writes (LOCK=SHARED at best)"
        return None

    def rebuilds(self) -> Optional[Support]:
        if self.algorithm == "COPY":
            return self.worst[1]
        return next((s for s in self.supports if s.rebuild), None)

    @property
    def supported_clause(self) -> Optional[str]:
        """The ALGORITHM/LOCK clause that runs every operation online, as the server can:
        None when one of them can only copy the table or block writes."""
        if self.all_instant and not self.unsafe_instant_columns:
            return "ALGORITHM=INSTANT"
        if all(s.best <= Algorithm.INPLACE and s.concurrent_dml for s in self.supports):
            return "ALGORITHM=INPLACE, LOCK=NONE"
        return None

    @property
    def unsafe_instant_columns(self) -> List[Tuple[m.Operation, Support]]:
        """The INSTANT ADD/DROP COLUMNs, on a release where those are unsafe (ML412). A
        VIRTUAL generated column is not stored in the rows: adding it only changes metadata
        and creates no row version, so the defect does not concern it."""
        if self.target is None or not self.target.instant_column_defect:
            return []
        return [(op, s) for op, s in self.items if s.kind in _INSTANT_COLUMN_CHANGES and s.instant]

    @property
    def silent_fallback(self) -> Optional[Support]:
        """The first operation the server may silently run slower or with a stronger lock
        than planned (when the statement states no ALGORITHM/LOCK); None when the default
        is already the best algorithm whatever the table is."""
        return next((s for s in self.supports if s.fallback), None)


def plan(operations: Sequence[m.Operation], target: Target, facts: Facts, quote) -> Optional[Plan]:
    """The Plan of one statement, or None when nothing in it is an online-DDL concern."""
    clauses = next((op for op in operations if isinstance(op, m.OnlineDdlClauses)), None)
    items: List[Tuple[m.Operation, Support]] = []
    replaces_pk = any(isinstance(op, m.DropPrimaryKey) for op in operations) and any(
        isinstance(op, m.AddConstraint) and op.kind == "primary_key" for op in operations)
    redefined = {(op.table.name.key, op.column.key) for op in operations
                 if isinstance(op, m.AlterColumnType)}
    for op in operations:
        if replaces_pk and isinstance(op, m.DropPrimaryKey):
            continue  # dropping and adding the primary key together runs INPLACE
        if isinstance(op, m.RenameColumn) and (op.table.name.key, op.column.key) in redefined:
            continue  # CHANGE old new ...: the redefinition decides the algorithm
        found = classify(op, target, facts, quote)
        if found is not None:
            items.append((op, found))
    if any(s.instant for _, s in items) and any(not (s.instant or s.uncertain) for _, s in items):
        items = [(op, s if not s.instant else support(
            s.kind, f"{s.what} (not INSTANT next to the other changes of this ALTER)", target,
            s.uncertain, instant=False)) for op, s in items]
    table = next((op.table for op, _ in items if getattr(op, "table", None) is not None), None)
    if table is None:
        return None
    return Plan(
        table=table, items=tuple(items),
        algorithm=clauses.algorithm if clauses else None, lock=clauses.lock if clauses else None,
        target=target, clause_after_command=bool(clauses and clauses.after_partition_command),
    )
