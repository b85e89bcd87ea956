"""PostgreSQL scripts as psql and the server read them: statement bodies, meta-commands,
savepoints and inline COPY data."""

from __future__ import annotations

import pytest

from helpers import codes, lint

SET_TIMEOUT = "SET lock_timeout = '2s';\n"


def test_begin_atomic_body_is_read_as_part_of_its_routine():
    sql = SET_TIMEOUT + (
        "CREATE PROCEDURE reset_flags()\nLANGUAGE sql\nBEGIN ATOMIC\n"
        "  UPDATE users SET flag = false;\n  TRUNCATE audit_log;\nEND;\n"
    )
    assert codes(sql) == []


def test_a_routine_sqlglot_rejects_without_a_standard_body_is_still_a_parse_error():
    assert codes("CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN ((;\n") == ["ML001"]


def test_psql_meta_command_does_not_swallow_the_next_statement():
    sql = "\\set ON_ERROR_STOP on\n" + SET_TIMEOUT + "ALTER TABLE users ADD COLUMN w13 text;\n"
    assert codes(sql) == []


def test_a_psql_meta_command_after_a_query_sends_it_and_the_next_statement_is_linted():
    sql = SET_TIMEOUT + (
        "SELECT format('CREATE INDEX CONCURRENTLY %I_id_idx ON %I (id)', tablename, tablename)\n"
        "FROM pg_tables WHERE schemaname = 'public'\n\\gexec\n"
        "ALTER TABLE users RENAME COLUMN name TO full_name;\n"
    )
    assert codes(sql) == ["ML101"]


@pytest.mark.parametrize("savepoint", [
    "SAVEPOINT before_add", "RELEASE SAVEPOINT before_add", "RELEASE before_add",
    "ROLLBACK TO SAVEPOINT before_add", "ROLLBACK TO before_add",
    "ROLLBACK WORK TO SAVEPOINT before_add", "rollback transaction to before_add",
])
def test_savepoints_are_understood_and_keep_the_transaction_open(savepoint):
    sql = (f"BEGIN;\nSET LOCAL lock_timeout = '2s';\n{savepoint};\n"
           "CREATE INDEX CONCURRENTLY users_w3_idx ON users (w3);\nCOMMIT;\n")
    # The index build is still inside BEGIN ... COMMIT: ML301, and nothing else.
    assert codes(sql) == ["ML301"]


def test_copy_from_stdin_data_is_not_linted():
    sql = SET_TIMEOUT + (
        "COPY public.countries (code, name) FROM stdin;\nDE\tGermany; DROP TABLE users;\n"
        "FR\tFrance\n\\.\nALTER TABLE users ADD COLUMN w7 text;\n"
    )
    assert codes(sql) == []


@pytest.mark.parametrize("copy", ["COPY public.countries (code, name) FROM stdin;",
                                  "\\copy public.countries (code, name) from stdin"])
def test_copy_data_without_an_end_line_is_reported_at_the_copy(copy):
    sql = SET_TIMEOUT + copy + "\nDE\tGermany\nALTER TABLE users ADD COLUMN w7 text;\n\n"
    [finding] = lint(sql)
    assert (finding.rule, finding.span.line) == ("ML001", 2)
    assert ("COPY ... FROM stdin data has no \\. end line: the rest of the file (2 lines) "
            "is read as data and not linted") in finding.message


def test_a_copy_with_no_data_after_it_is_not_reported():
    assert codes(SET_TIMEOUT + "COPY public.countries (code, name) FROM stdin;\n\n") == []


def test_copy_data_running_to_the_end_of_the_file_is_not_reported():
    # psql ends the data at the end of the file too; no line there looks like a statement.
    assert codes(SET_TIMEOUT + "COPY public.countries (code, name) FROM stdin;\nDE\tGermany\n"
                 "FR\tFrance\n") == []


@pytest.mark.parametrize("sql, keyword", [
    ("COMMENT ON TABLE t IS :'v';", "COMMENT"),  # a psql variable as the text
    ('COMMENT ON COLUMN t.a IS :"v";', "COMMENT"),
    ("COMMENT ON CONSTRAINT c ON t IS E'x';", "COMMENT"),
    ("COMMENT ON TRIGGER tr ON t IS NULL;", "COMMENT"),
    ("COMMENT ON CONSTRAINT c ON t IS :comment;", "COMMENT"),  # variables named by keywords
    ("COMMENT ON CONSTRAINT c ON t IS :desc;", "COMMENT"),
    ("COMMENT ON CONSTRAINT c ON t IS :table;", "COMMENT"),
    ("SECURITY LABEL ON TABLE t IS :text;", "SECURITY LABEL"),
    ("SECURITY LABEL FOR selinux ON TABLE t IS 'x';", "SECURITY LABEL"),
    ("SECURITY LABEL ON COLUMN t.a IS :'label';", "SECURITY LABEL"),
])
def test_comments_and_security_labels_sqlglot_rejects_are_kept_as_statements(sql, keyword):
    from migrationlint import model as m
    from migrationlint.readers import read_migration
    from migrationlint.source import SourceFile
    from migrationlint.versions import Version

    assert codes(sql) == []
    [statement] = read_migration(SourceFile("m.sql", sql), "postgres", Version("16"),
                                 "auto").statements
    assert statement.operations == (m.RawStatement(span=statement.span, keyword=keyword),)


def test_a_security_label_with_words_after_its_text_is_still_a_parse_error():
    assert codes("SECURITY LABEL ON TABLE t IS 'x' junk;") == ["ML001"]


def test_a_psql_variable_table_is_named_as_written_in_messages_and_rewrites():
    found = {f.rule: f for f in lint("ALTER TABLE :tbl DROP COLUMN x;")}
    assert "on :tbl without a lock_timeout" in found["ML214"].message
    drop = found["ML103"]
    assert "of :tbl" in drop.message and ":tbl.x" in drop.rewrite.steps[0].title
    assert drop.rewrite.steps[-1].sql == "ALTER TABLE :tbl DROP COLUMN x;"


def test_names_built_from_a_psql_variable_are_plain_words():
    # psql substitutes no variable inside a word: ":tbl_a_idx" would be another variable.
    [finding] = [f for f in lint("ALTER TABLE :schema.:tbl ADD CONSTRAINT u UNIQUE (:col);")
                 if f.rule == "ML206"]
    assert [s.sql for s in finding.rewrite.steps] == [
        "CREATE UNIQUE INDEX CONCURRENTLY tbl_col_idx ON :schema.:tbl (:col);",
        "ALTER TABLE :schema.:tbl ADD CONSTRAINT u UNIQUE USING INDEX tbl_col_idx;",
    ]


def test_a_quoted_psql_variable_keeps_its_quotes_in_messages_and_rewrites():
    # psql substitutes :"tbl" as a quoted identifier and :tbl as raw text.
    found = {f.rule: f for f in lint('ALTER TABLE :"tbl" DROP COLUMN x;')}
    drop = found["ML103"]
    assert 'of :"tbl"' in drop.message and ':"tbl".x' in drop.rewrite.steps[0].title
    assert drop.rewrite.steps[-1].sql == 'ALTER TABLE :"tbl" DROP COLUMN x;'
    [vacuum] = [f for f in lint('VACUUM FULL :"tbl";') if f.rule == "ML209"]
    assert 'rewrites :"tbl" and' in vacuum.message


def test_names_built_from_a_quoted_psql_variable_are_its_bare_name():
    [finding] = [f for f in lint('ALTER TABLE :schema.:"tbl" ADD CONSTRAINT u UNIQUE (:"col");')
                 if f.rule == "ML206"]
    assert [s.sql for s in finding.rewrite.steps] == [
        'CREATE UNIQUE INDEX CONCURRENTLY tbl_col_idx ON :schema.:"tbl" (:"col");',
        'ALTER TABLE :schema.:"tbl" ADD CONSTRAINT u UNIQUE USING INDEX tbl_col_idx;',
    ]


def test_quoted_and_bare_psql_variables_in_one_statement_stay_apart():
    [finding] = [f for f in lint('UPDATE :"tbl" SET a = :"v" WHERE b = :v;') if f.rule == "ML501"]
    assert 'UPDATE on :"tbl" with WHERE b = :v' in finding.message
    assert 'SET a = :"v"' in finding.rewrite.steps[-1].instruction


def test_a_quoted_name_after_a_slice_colon_is_still_a_column():
    [finding] = [f for f in lint('UPDATE t SET a = b[1:"x"] WHERE c = :v;') if f.rule == "ML501"]
    assert 'SET a = b[1:"x"]' in finding.rewrite.steps[-1].instruction


@pytest.mark.parametrize("value", ['b[1:"x"]', 'b[i:"x"]', 'JSON_OBJECT(\'k\':"x")'])
def test_a_slice_bound_or_json_value_beside_a_quoted_psql_variable_keeps_it_quoted(value):
    # The quoted name after the colon is a column, not a placeholder; :"tbl" stays one.
    [finding] = [f for f in lint(f'UPDATE :"tbl" SET a = {value};') if f.rule == "ML501"]
    assert finding.message.startswith('UPDATE on :"tbl" with no WHERE')
    assert f'UPDATE :"tbl" SET a = {value}' in finding.rewrite.steps[-1].instruction.replace(
        "': ", "':")


@pytest.mark.parametrize("sql, rule, named", [
    # Statements read from tokens, where the colon was taken for the table's name.
    ("VACUUM FULL :tbl;", "ML209", "rewrites :tbl and"),
    ("ALTER TABLE :tbl DETACH PARTITION p;", "ML212", "on :tbl"),
    ("ALTER TABLE :tbl ADD COLUMN a int, ENABLE TRIGGER x, DROP COLUMN b;", "ML103", "of :tbl"),
    ('ALTER TABLE :"tbl" DETACH PARTITION p;', "ML212", 'on :"tbl"'),
])
def test_a_psql_variable_table_is_read_in_statements_sqlglot_cannot_parse(sql, rule, named):
    [finding] = [f for f in lint(sql) if f.rule == rule]
    assert named in finding.message
