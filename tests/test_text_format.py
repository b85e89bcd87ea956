"""The text format's source excerpt: carets line up under the text on a terminal."""

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

