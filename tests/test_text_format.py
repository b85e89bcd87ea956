"""The text formats: carets that line up under the source on a terminal, the concise
format and --statistics (as ruff's)."""

from click.testing import CliRunner

from migrationlint.cli import cli


def _caret_line(tmp_path, monkeypatch, sql: str) -> str:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.sql").write_text(sql, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--no-cache", "--color", "never",
                                      "--select", "ML103", "m.sql"])
    lines = result.output.splitlines()
    source = next(line for line in lines if line.startswith("1 | "))
    return lines[lines.index(source) + 1]


def test_carets_under_wide_cjk_text_count_two_columns_a_character(tmp_path, monkeypatch):
    carets = _caret_line(tmp_path, monkeypatch, "ALTER TABLE 顧客 DROP COLUMN 名前;\n")
    # Each CJK character takes two columns: the prefix "ALTER TABLE 顧客 DROP COLUMN "
    # is 29 columns wide and "名前" four.
    assert carets == "  | " + " " * 29 + "^^^^"


def test_carets_under_ascii_text_are_unchanged(tmp_path, monkeypatch):
    carets = _caret_line(tmp_path, monkeypatch, "ALTER TABLE t DROP COLUMN name;\n")
    assert carets == "  | " + " " * len("ALTER TABLE t DROP COLUMN ") + "^^^^"


DROPS = "ALTER TABLE t DROP COLUMN a;\nALTER TABLE t DROP COLUMN b;\nALTER TABLE t RENAME c TO d;\n"


def _check(tmp_path, monkeypatch, *args):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.sql").write_text(DROPS)
    return CliRunner().invoke(cli, ["check", "--no-cache", "--color", "never",
                                    "--ignore", "ML214", *args, "m.sql"])


def test_concise_format_is_one_line_a_finding_then_the_summary(tmp_path, monkeypatch):
    result = _check(tmp_path, monkeypatch, "--format", "concise")
    lines = result.output.splitlines()
    assert result.exit_code == 1 and len(lines) == 4
    assert lines[0].startswith("m.sql:1:27: ML103 [drop-column] Dropping column a of t ")
    assert [line.split(" ")[1] for line in lines[:3]] == ["ML103", "ML103", "ML101"]
    assert lines[3] == "Found 3 problems (3 errors) in 1 file."


def test_statistics_count_each_rules_findings_most_first(tmp_path, monkeypatch):
    result = _check(tmp_path, monkeypatch, "--statistics")
    assert result.exit_code == 1
    assert result.output == ("2  ML103  [drop-column]\n1  ML101  [rename-column]\n"
                             "Found 3 problems (3 errors) in 1 file.\n")


def test_statistics_is_text_only(tmp_path, monkeypatch):
    result = _check(tmp_path, monkeypatch, "--statistics", "--format", "json")
    assert result.exit_code == 2 and "--statistics prints a text table" in result.output
