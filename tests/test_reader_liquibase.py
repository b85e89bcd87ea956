"""The Liquibase reader: XML, YAML, JSON and formatted SQL changelogs."""

from __future__ import annotations

import pytest

from framework_helpers import FIXTURES, lint_file, line_of, of_type, read
from helpers import TIMEOUT_NOTES, options
from migrationlint import model as m
from migrationlint.engine import lint_source
from migrationlint.readers import read_migration
from migrationlint.readers.liquibase import dbms_matches
from migrationlint.source import SourceFile
from migrationlint.versions import default_version

FOLDER = FIXTURES / "liquibase"
XML = FOLDER / "db.changelog-2026-11.xml"
YAML = FOLDER / "db.changelog-2026-12.yaml"
JSON = FOLDER / "db.changelog-2027-01.json"
FORMATTED = FOLDER / "2027-02-shipments.sql"


def read_text(name: str, text: str, dialect: str = "postgres"):
    return read_migration(SourceFile(name, text), dialect, default_version(dialect))


def test_xml_changes_map_to_operations_at_the_element_line():
    migration = read(XML)
    rename = of_type(migration, m.RenameColumn)[0]
    assert (rename.table.name.name, rename.column.name, rename.new_name.name) == (
        "accounts", "mail", "email")
    assert rename.span.line == line_of(XML, "<renameColumn")
    region, tier = of_type(migration, m.AddColumn)
    assert region.column.not_null and region.column.default is None
    assert tier.column.default.sql == "'free'"
    assert region.span.line == line_of(XML, "<addColumn")
    set_not_null = of_type(migration, m.SetNotNull)[0]
    assert set_not_null.column.name == "country"
    assert of_type(migration, m.AlterColumnType)[0].new_type_sql == "numeric(14,2)"
    fk, unique = of_type(migration, m.AddConstraint)
    assert (fk.kind, fk.references.name.name, fk.columns[0].name) == ("foreign_key", "accounts", "account_id")
    assert (unique.kind, unique.name.name) == ("unique", "accounts_email_key")
    assert of_type(migration, m.RenameTable)[0].new_name.name.name == "account_notes"
    assert of_type(migration, m.DropTable)[0].table.name.name == "legacy_sessions"


def test_rollback_is_not_linted_and_nested_columns_are():
    migration = read(XML)
    dropped = [(op.column.name, op.span.line) for op in of_type(migration, m.DropColumn)]
    assert ("region", line_of(XML, 'columnName="region"')) not in dropped
    assert ("telex", line_of(XML, "<dropColumn", 3)) in dropped


def test_sql_body_keeps_exact_spans_and_dbms_filters_apply():
    migration = read(XML)
    pager = [op for op in of_type(migration, m.DropColumn) if op.column.name == "pager"][0]
    assert pager.span.line == line_of(XML, "DROP COLUMN pager")
    assert pager.span.column == len("ALTER TABLE accounts DROP COLUMN ") + 1
    names = {op.column.name for op in of_type(migration, m.DropColumn)}
    assert "mysql_only" not in names and "mysql_legacy" not in names
    mysql_names = {op.column.name for op in of_type(read(XML, dialect="mysql"), m.DropColumn)}
    assert {"mysql_only", "mysql_legacy"} <= mysql_names and "pager" not in mysql_names


def test_run_in_transaction_false_marks_the_changeset_statements():
    migration = read(XML)
    index = {op.name.name: s for s in migration.statements for op in s.operations
             if isinstance(op, m.CreateIndex)}
    assert migration.runs_in_transaction(index["accounts_region_idx"]) is True
    assert migration.runs_in_transaction(index["accounts_created_at_idx"]) is False
    assert index["accounts_created_at_idx"].operations[0].concurrently


def test_rules_and_suppression_in_xml():
    found = [(f.rule, f.span.line) for f in lint_file(XML)]
    assert ("ML101", line_of(XML, "<renameColumn")) in found
    assert ("ML105", line_of(XML, "<addColumn")) in found
    assert ("ML201", line_of(XML, 'indexName="accounts_region_idx"')) in found
    assert ("ML201", line_of(XML, 'indexName="account_flags_account_id_idx"')) not in found
    # The XML comment suppresses the fax drop; nothing reports it as unused.
    assert ("ML103", line_of(XML, 'columnName="fax"')) not in found
    assert not [f for f in found if f[0] in ("ML002", "ML003")]


def test_yaml_changelog():
    migration = read(YAML)
    assert of_type(migration, m.RenameColumn)[0].span.line == line_of(YAML, "- renameColumn:")
    currency, issued = of_type(migration, m.AddColumn)
    assert currency.column.type_sql == "char(3)" and currency.column.not_null
    assert issued.column.default.sql == "now()" and issued.column.default.volatility == "stable"
    paper = [op for op in of_type(migration, m.DropColumn) if op.column.name == "paper_copy"][0]
    assert paper.span.line == line_of(YAML, "DROP COLUMN paper_copy")
    statement = next(s for s in migration.statements if paper in s.operations)
    assert migration.runs_in_transaction(statement) is False
    found = {(f.rule, f.span.line) for f in lint_file(YAML)}
    assert ("ML105", line_of(YAML, "- addColumn:")) in found
    assert ("ML201", line_of(YAML, "- createIndex:")) in found


def test_json_changelog_with_tabs():
    migration = read(JSON)
    drop = of_type(migration, m.DropColumn)[0]
    assert (drop.column.name, drop.span.line) == ("card_pan", line_of(JSON, '"dropColumn"'))
    assert of_type(migration, m.AddColumn)[0].column.not_null
    index = of_type(migration, m.CreateIndex)[0]
    assert index.span.line == line_of(JSON, "CREATE INDEX payments_psp_idx")
    assert index.span.column > 40  # inside the JSON string, not at the change key


def test_formatted_sql_changesets():
    migration = read(FORMATTED)
    assert migration.runner == "liquibase"
    dropped = [op.column.name for op in of_type(migration, m.DropColumn)]
    assert dropped == ["tracking_url"]  # the mysql-only changeset is skipped
    index_statement = next(s for s in migration.statements
                           if any(isinstance(o, m.CreateIndex) for o in s.operations))
    assert migration.runs_in_transaction(index_statement) is False
    renames = of_type(migration, m.RenameColumn)
    assert len(renames) == 1  # the --rollback line is a comment


@pytest.mark.parametrize("value,dialect,expected", [
    (None, "postgres", True), ("postgresql", "postgres", True), ("mysql", "postgres", False),
    ("postgresql, mysql", "mysql", True), ("!postgresql", "postgres", False),
    ("!h2", "postgres", True), ("all", "mysql", True), ("mysql", "mariadb", True),
])
def test_dbms_filter(value, dialect, expected):
    assert dbms_matches(value, dialect) is expected


@pytest.mark.parametrize("name,text", [
    ("bad.xml", "<databaseChangeLog><changeSet id='1'></databaseChangeLog>"),
    ("entity.xml", '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "aaaa">]>\n'
                   "<databaseChangeLog>&a;</databaseChangeLog>"),
    ("bad.yaml", "databaseChangeLog:\n  - changeSet: {id: 1\n"),
    ("bad.json", '{"databaseChangeLog": [ {"changeSet": } ]}'),
])
def test_broken_changelogs_are_parse_errors_not_crashes(name, text):
    findings = lint_source(SourceFile(name, text), options())
    assert [f.rule for f in findings] == ["ML001"]


def test_xml_entities_make_sql_spans_point_at_the_element():
    text = ("<databaseChangeLog>\n  <changeSet id='1' author='a'>\n"
            "    <sql>UPDATE t SET a = 1 WHERE b &lt; 2; ALTER TABLE t DROP COLUMN c</sql>\n"
            "  </changeSet>\n</databaseChangeLog>\n")
    # About spans: the lock-timeout note is ignored; the UPDATE's update-or-delete-in-schema-
    # migration finding (ML501) is kept, as it also shows the statement holding the entity.
    findings = lint_source(SourceFile("c.xml", text), options(ignore=TIMEOUT_NOTES))
    assert [(f.rule, f.span.line, f.span.column) for f in findings] == [
        ("ML103", 3, 5), ("ML501", 3, 5)]


def test_xml_with_lone_cr_line_ends_keeps_element_offsets():
    # expat ends a line at a lone CR (old Mac files); file positions count LF only, so the
    # element is on line 1 and its column is its offset. Found by the long fuzz run.
    text = ("<databaseChangeLog>\r  <changeSet id='1' author='a'>\r"
            "    <dropColumn tableName='t' columnName='c'/>\r  </changeSet>\r</databaseChangeLog>\r")
    findings = lint_source(SourceFile("c.xml", text), options(ignore=TIMEOUT_NOTES))
    assert [(f.rule, f.span.line, f.span.column) for f in findings] == [
        ("ML103", 1, text.index("<dropColumn") + 1)]


def test_yaml_hash_comment_suppresses_the_next_change():
    text = ("databaseChangeLog:\n  - changeSet:\n      id: 1\n      author: a\n      changes:\n"
            "        # migrationlint: ignore drop-column -- retired in 2026.10\n"
            "        - dropColumn:\n            tableName: t\n            columnName: c\n"
            "        - dropColumn:\n            tableName: t\n            columnName: d\n")
    # About suppression: the lock-timeout note on the first change is ignored.
    findings = lint_source(SourceFile("changelog.yaml", text), options(ignore=TIMEOUT_NOTES))
    assert [(f.rule, f.span.line) for f in findings] == [("ML103", 10)]


def test_xml_comment_before_sql_covers_its_body_on_later_lines_not_the_next_sql():
    # Both statements of the first <sql>, not the next <sql>.
    text = ("<databaseChangeLog>\n  <changeSet id='1' author='a'>\n"
            "    <!-- accounts is tiny -->\n"
            "    <!-- migrationlint: ignore ML201 -->\n"
            "    <sql>\n      CREATE INDEX accounts_a ON accounts (a);\n"
            "      CREATE INDEX accounts_b ON accounts (b);\n    </sql>\n"
            "    <sql>\n      CREATE INDEX accounts_c ON accounts (c);\n    </sql>\n"
            "  </changeSet>\n</databaseChangeLog>\n")
    findings = lint_source(SourceFile("changelog.xml", text), options(ignore=TIMEOUT_NOTES))
    assert [(f.rule, f.span.line) for f in findings] == [("ML201", 10)]


def test_yaml_comment_above_sql_covers_the_sql_on_its_next_line_not_the_next_change():
    text = ("databaseChangeLog:\n  - changeSet:\n      id: 1\n      author: a\n      changes:\n"
            "        # migrationlint: ignore ML201 -- accounts is tiny\n"
            "        - sql:\n            sql: CREATE INDEX accounts_a ON accounts (a);\n"
            "        - sql:\n            sql: CREATE INDEX accounts_b ON accounts (b);\n")
    findings = lint_source(SourceFile("changelog.yaml", text), options(ignore=TIMEOUT_NOTES))
    assert [(f.rule, f.span.line) for f in findings] == [("ML201", 10)]


@pytest.mark.parametrize("path,first,count", [
    (XML, "mara:2026-11-01-accounts", 4), (YAML, "mara:2026-12-01-invoices", 2),
    (JSON, "ilya:2027-01-01-payments", 1), (FORMATTED, "mara:2027-02-01", 3),
])
def test_each_changeset_is_a_unit(path, first, count):
    units = [s.unit for s in read(path).statements]
    assert units[0] == first and len(set(units)) == count
    # Statements of one changeset share its unit: units change only between changesets.
    assert units == sorted(units, key=units.index)


# A changeset whose rollback drops what the forward change did not touch: linting the
# rollback as a forward change would report a dropped column and table.
_ROLLBACK_YAML = """\
databaseChangeLog:
  - changeSet:
      id: 300
      author: kim
      preConditions:
        - onFail: MARK_RAN
        - tableExists:
            tableName: shelves
      changes:
        - sql:
            sql: ALTER TABLE shelves ADD COLUMN aisle varchar(20)
      rollback:
        - dropColumn:
            tableName: shelves
            columnName: bay
        - dropTable:
            tableName: aisles
"""
_ROLLBACK_JSON = """\
{"databaseChangeLog": [{"changeSet": {"id": "300", "author": "kim",
  "preConditions": [{"onFail": "MARK_RAN"}, {"tableExists": {"tableName": "shelves"}}],
  "changes": [{"sql": {"sql": "ALTER TABLE shelves ADD COLUMN aisle varchar(20)"}}],
  "rollback": [{"dropColumn": {"tableName": "shelves", "columnName": "bay"}},
               {"dropTable": {"tableName": "aisles"}}]}}]}
"""


@pytest.mark.parametrize("name,text", [
    ("changelog.yaml", _ROLLBACK_YAML), ("changelog.json", _ROLLBACK_JSON),
])
@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_yaml_and_json_rollback_and_preconditions_are_not_linted(name, text, dialect):
    # The notes on the forward ADD COLUMN (lock timeout, MySQL's ALGORITHM) do not matter.
    findings = lint_source(SourceFile(name, text),
                           options(dialect, ignore=TIMEOUT_NOTES + ("ML406",)))
    # Only the forward change remains: no ML103/ML104 from the rollback, and on MySQL no
    # ML401 counting the rollback's DDL in the changeset.
    assert [f.rule for f in findings] == []
    migration = read_text(name, text, dialect)
    operations = [type(op) for s in migration.statements for op in s.operations]
    assert operations == [m.AddColumn]


_PROCEDURE_FORMATTED = """\
-- liquibase formatted sql

-- changeset kim:400 endDelimiter://
CREATE PROCEDURE prune_carts()
BEGIN
  INSERT INTO carts_archive SELECT * FROM carts WHERE touched_at < NOW() - INTERVAL 90 DAY;
  DELETE FROM carts WHERE touched_at < NOW() - INTERVAL 90 DAY;
END//

-- changeset kim:401
ALTER TABLE carts DROP COLUMN coupon;
"""
_FUNCTION_FORMATTED = """\
--liquibase formatted sql

--changeset kim:410 splitStatements:false endDelimiter:/
CREATE OR REPLACE FUNCTION carts_touch() RETURNS trigger AS $$
BEGIN
  NEW.touched_at := now();
  NEW.half_price := NEW.price / 2;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
/
--changeset kim:411
ALTER TABLE carts RENAME COLUMN coupon TO voucher;
"""


@pytest.mark.parametrize("text,dialect,expected", [
    # The procedure body runs when called, not at migration time: no data change, no
    # DDL mixed with DML; the next changeset's DROP COLUMN is read on its own.
    (_PROCEDURE_FORMATTED, "mysql", [("ML103", 11)]),
    # "/" ends the function's changeset only at the start of a line (not the division).
    (_FUNCTION_FORMATTED, "postgres", [("ML101", 13)]),
])
def test_formatted_sql_end_delimiter_and_split_statements(text, dialect, expected):
    findings = lint_source(SourceFile("changelog.sql", text),
                           options(dialect, ignore=TIMEOUT_NOTES))
    assert [(f.rule, f.span.line) for f in findings] == expected
    units = [s.unit for s in read_text("changelog.sql", text, dialect).statements]
    assert units == sorted(set(units))  # one statement per changeset


def test_formatted_sql_statement_without_semicolon_ends_with_its_changeset():
    text = ("--liquibase formatted sql\n--changeset kim:420\nCREATE TABLE bins (id int)\n"
            "--changeset kim:421\nALTER TABLE carts DROP COLUMN bin;\n")
    findings = lint_source(SourceFile("changelog.sql", text), options(ignore=TIMEOUT_NOTES))
    assert [(f.rule, f.span.line) for f in findings] == [("ML103", 5)]


def test_xml_sql_end_delimiter_keeps_a_procedure_body_whole():
    text = ("<databaseChangeLog>\n  <changeSet id='430' author='kim'>\n"
            "    <sql endDelimiter='//'><![CDATA[CREATE PROCEDURE prune_carts()\nBEGIN\n"
            "  UPDATE carts SET stale = 1;\n  DELETE FROM carts WHERE stale = 1;\nEND//]]></sql>\n"
            "  </changeSet>\n</databaseChangeLog>\n")
    findings = lint_source(SourceFile("c.xml", text), options("mysql", ignore=TIMEOUT_NOTES))
    assert [f.rule for f in findings] == []


def _changeset(header: str, body: str) -> str:
    return f"--liquibase formatted sql\n--changeset kim:{header}\n{body}"


def _statements_as_sent(text: str, dialect: str):
    return [(s.span.line, s.text) for s in read_text("changelog.sql", text, dialect).statements]


@pytest.mark.parametrize("text,dialect,expected", [
    # GO inside ALGORITHM and CATEGORY is part of a word, not the delimiter.
    (_changeset("440 endDelimiter:GO",
                "ALTER TABLE t ADD COLUMN category int, ALGORITHM=INSTANT\nGO\n"
                "UPDATE t SET category = 1\nGO\n"),
     "mysql", [(3, "ALTER TABLE t ADD COLUMN category int, ALGORITHM=INSTANT"),
               (5, "UPDATE t SET category = 1")]),
    # Case-insensitive, as Liquibase compares it.
    (_changeset("441 endDelimiter:GO", "CREATE TABLE t (id int)\ngo\nDROP TABLE u\ngo\n"),
     "postgres", [(3, "CREATE TABLE t (id int)"), (5, "DROP TABLE u")]),
    # "/*" at the start of a line opens a comment; "/" alone on its line is the delimiter.
    (_changeset("442 endDelimiter:/",
                "ALTER TABLE t ADD COLUMN c int\n/\n/* backfill */\nUPDATE t SET c = 1\n/\n"),
     "mysql", [(3, "ALTER TABLE t ADD COLUMN c int"), (6, "UPDATE t SET c = 1")]),
    # Neither in a string nor in a comment.
    (_changeset("443 endDelimiter:GO",
                "UPDATE t SET note = '\nGO\n' -- GO\nWHERE id = 1\nGO\n"),
     "postgres", [(3, "UPDATE t SET note = '\nGO\n' -- GO\nWHERE id = 1")]),
    # A longer endDelimiter is a regular expression: \nGO is GO first on its line.
    (_changeset("444 endDelimiter:\\nGO", "SELECT 1 GO\nGO\nSELECT 2\n"),
     "postgres", [(3, "SELECT 1 GO"), (5, "SELECT 2")]),
], ids=["inside-words", "lower-case", "slash-before-comment", "string-and-comment", "regex"])
def test_end_delimiter_is_a_whole_token_outside_strings_and_comments(text, dialect, expected):
    assert _statements_as_sent(text, dialect) == expected


def test_xml_sql_end_delimiter_inside_a_word_or_string_does_not_split():
    text = ("<databaseChangeLog>\n  <changeSet id='450' author='kim'>\n"
            "    <sql endDelimiter='GO'>UPDATE t SET category = 'GO' WHERE id = 1\nGO\n"
            "ALTER TABLE t DROP COLUMN gone</sql>\n  </changeSet>\n</databaseChangeLog>\n")
    statements = [(s.span.line, s.text) for s in read_text("c.xml", text).statements]
    assert statements == [(3, "UPDATE t SET category = 'GO' WHERE id = 1"),
                          (5, "ALTER TABLE t DROP COLUMN gone")]


def test_formatted_sql_end_delimiter_go_after_algorithm_reads_the_alter():
    text = _changeset("460 endDelimiter:GO",
                      "ALTER TABLE t ADD COLUMN c int, ALGORITHM=INSTANT\nGO\n")
    findings = lint_source(SourceFile("changelog.sql", text), options("mysql"))
    assert [(f.rule, f.span.line) for f in findings] == [("ML411", 3)]


_PROPERTIES_XML = """\
<databaseChangeLog>
  <changeSet id="500" author="kim">
    <renameColumn tableName="${table.carts}" oldColumnName="price" newColumnName="amount"/>
  </changeSet>
  <changeSet id="501" author="kim">
    <renameColumn tableName="${cartTable}" oldColumnName="price" newColumnName="amount"/>
  </changeSet>
  <changeSet id="502" author="kim">
    <dropColumn schemaName="${schema}" tableName="${prefix}_carts" columnName="coupon"/>
  </changeSet>
</databaseChangeLog>
"""


@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_property_placeholders_in_names_are_shown_as_written(dialect):
    findings = lint_source(SourceFile("c.xml", _PROPERTIES_XML),
                           options(dialect, ignore=TIMEOUT_NOTES + ("ML401",)))
    dotted, capitals, prefixed = findings
    # Not split on the dot inside ${...}, and not quoted: Liquibase substitutes the value.
    assert "of ${table.carts} to amount" in dotted.message
    assert "CREATE TRIGGER ${table.carts}_sync_amount_trg" in _rewrite(dotted)
    # A property's capitals are its name, not the table's: kept, and not quoted.
    assert "of ${cartTable} to amount" in capitals.message
    assert "CREATE TRIGGER ${cartTable}_sync_amount_trg" in _rewrite(capitals)
    assert "ALTER TABLE ${schema}.${prefix}_carts DROP COLUMN coupon" in _rewrite(prefixed)


def _rewrite(finding) -> str:
    return "\n".join(step.sql or "" for step in finding.rewrite.steps)


_MYSQL_COLUMN_CHANGES = """\
<databaseChangeLog>
  <changeSet id="600" author="kim">
    <modifyDataType tableName="carts" columnName="code" newDataType="varchar(64)"/>
  </changeSet>
  <changeSet id="601" author="kim">
    <addNotNullConstraint tableName="carts" columnName="owner" columnDataType="varchar(30)"/>
  </changeSet>
</databaseChangeLog>
"""


def test_mysql_modify_data_type_drops_not_null_and_default():
    findings = lint_source(SourceFile("c.xml", _MYSQL_COLUMN_CHANGES), options("mysql"))
    lost = {f.rule: f for f in findings if f.span.line == 3 and f.rule in ("ML109", "ML110")}
    assert sorted(lost) == ["ML109", "ML110"]
    for finding, kept in ((lost["ML109"], "NOT NULL"), (lost["ML110"], "DEFAULT")):
        step, = finding.rewrite.steps
        assert "an <sql> change" in step.title and "modifyDataType" in step.title
        assert "ALTER TABLE carts MODIFY code <new type>" in step.instruction
        assert f"restating the {kept}, AUTO_INCREMENT" in step.instruction
    # PostgreSQL's ALTER COLUMN ... TYPE keeps them.
    postgres = lint_source(SourceFile("c.xml", _MYSQL_COLUMN_CHANGES), options())
    assert not [f for f in postgres if f.rule in ("ML109", "ML110")]


def test_mysql_add_not_null_constraint_restates_the_given_column_type():
    findings = lint_source(SourceFile("c.xml", _MYSQL_COLUMN_CHANGES), options("mysql"))
    set_not_null, = [f for f in findings if f.rule == "ML106"]
    assert set_not_null.rewrite.steps[-1].sql == (
        "ALTER TABLE carts MODIFY owner varchar(30) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;")


_DATA_CHANGES_XML = """\
<databaseChangeLog>
  <changeSet id="700" author="kim">
    <delete tableName="carts"/>
    <update tableName="carts">
      <column name="state" value="closed"/>
      <where>touched_at &lt; '2020-01-01'</where>
    </update>
    <update tableName="carts">
      <column name="state" value="open"/>
      <where>id = 42</where>
    </update>
  </changeSet>
</databaseChangeLog>
"""


@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_update_and_delete_changes_are_judged_as_their_sql(dialect):
    findings = lint_source(SourceFile("c.xml", _DATA_CHANGES_XML), options(dialect))
    # Every row (no where), then a range: ML501 as for the same SQL; one row by its key
    # is bounded.
    assert [(f.rule, f.span.line) for f in findings] == [("ML501", 3), ("ML501", 4)]
    every_row, in_range = findings
    assert "DELETE on carts with no WHERE clause" in every_row.message
    assert "UPDATE on carts with WHERE touched_at < '2020-01-01'" in in_range.message
    assert "UPDATE carts SET state = 'closed'" in in_range.rewrite.steps[-1].instruction


def test_yaml_delete_with_where_attribute():
    text = ("databaseChangeLog:\n  - changeSet:\n      id: 710\n      author: kim\n"
            "      changes:\n        - delete:\n            tableName: carts\n"
            "            where: state = 'closed'\n")
    finding, = lint_source(SourceFile("c.yaml", text), options())
    assert (finding.rule, finding.span.line) == ("ML501", 6)
    assert "with WHERE state = 'closed'" in finding.message


def test_update_where_keeps_its_placeholder_as_written():
    text = ("<databaseChangeLog>\n  <changeSet id='720' author='kim'>\n"
            "    <update tableName='orders' schemaName='Shop'>\n"
            "      <column name='flag' valueNumeric='1'/>\n      <where>status = :value</where>\n"
            "      <whereParams><param valueNumeric='3'/></whereParams>\n    </update>\n"
            "  </changeSet>\n</databaseChangeLog>\n")
    finding, = lint_source(SourceFile("c.xml", text), options("postgres"))
    # Read back from sqlglot, the placeholder would be PostgreSQL-driver style: %(value)s.
    assert 'UPDATE on "Shop".orders with WHERE status = :value touches' in finding.message
    backfill = finding.rewrite.steps[-1].instruction
    assert "((status = :value) AND flag IS DISTINCT FROM 1)" in backfill


_IN_TRANSACTION_XML = """\
<databaseChangeLog>
  <changeSet id="800" author="kim">
    <sql>CREATE INDEX CONCURRENTLY carts_owner_idx ON carts (owner)</sql>
  </changeSet>
</databaseChangeLog>
"""
_IN_TRANSACTION_FORMATTED = """\
--liquibase formatted sql
--changeset kim:800
CREATE INDEX CONCURRENTLY carts_owner_idx ON carts (owner);
"""


@pytest.mark.parametrize("name,text", [
    ("c.xml", _IN_TRANSACTION_XML), ("changelog.sql", _IN_TRANSACTION_FORMATTED),
])
def test_concurrent_index_in_a_changeset_names_liquibase_opt_out(name, text):
    finding, = [f for f in lint_source(SourceFile(name, text), options()) if f.rule == "ML301"]
    instruction = finding.rewrite.steps[0].instruction
    assert 'runInTransaction="false"' in instruction
    assert "--changeset author:id runInTransaction:false" in instruction
