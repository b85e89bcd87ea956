"""Reading bytes into text: BOMs, encodings, binary files, positions."""

import pytest

from migrationlint.source import BinaryFileError, LineIndex, decode


def test_utf8_bom_is_stripped():
    source = decode("\ufeffSELECT 1;".encode("utf-8"), "a.sql")
    assert source.text == "SELECT 1;"
    assert source.warnings == ()


def test_utf16_with_bom():
    source = decode("SELECT 'é';".encode("utf-16"), "a.sql")
    assert source.text == "SELECT 'é';"


def test_latin1_fallback_warns_with_line():
    source = decode(b"SELECT 1;\nSELECT 'caf\xe9';", "a.sql")
    assert source.text.endswith("'café';")
    assert source.encoding == "latin-1"
    assert source.warnings and source.warnings[0].startswith("a.sql:2:")


def test_nul_bytes_mean_binary():
    with pytest.raises(BinaryFileError, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00", "image.sql")


def test_line_index_positions_count_code_points_and_handle_crlf():
    index = LineIndex("ab\r\ncé d\nx")
    assert index.position(0) == (1, 1)
    assert index.position(4) == (2, 1)
    assert index.position(7) == (2, 4)
    assert index.line_text(1) == "ab"
    assert index.line_text(3) == "x"
    span = index.span(4, 6)
    assert (span.line, span.column, span.end_line, span.end_column) == (2, 1, 2, 3)
    assert tuple(index.span(1, 9)) == (1, 2, 3, 1)  # from line 1 to the start of line 3
    assert tuple(index.span(5, 2)) == (2, 2, 2, 2)  # an end before the start: empty


def test_truncated_utf16_is_read_with_a_warning_not_a_crash():
    source = decode(b"\xff\xfeS\x00E\x00L", "odd.sql")
    assert source.text == "SE\ufffd"
    assert source.warnings and "invalid UTF-16" in source.warnings[0]
