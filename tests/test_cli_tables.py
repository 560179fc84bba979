"""The pieces the commands print with: the table renderer, cells, parameters and masks."""

from __future__ import annotations

import argparse
import io
from datetime import datetime, timedelta, timezone

import pytest

from circleci_async.cli.envvars import listed_value, mask, shown_value
from circleci_async.cli.output import Column, Output, cell
from circleci_async.cli.params import collect_params, pipeline_param, typed_value
from circleci_async.cli.tables import clean, display_width, render_table
from circleci_async.models import PipelineState


def test_columns_are_padded_to_the_widest_cell_two_spaces_apart() -> None:
    lines = render_table(["N", "NAME", "STATUS"], [["7", "lint", "ok"], ["123", "unit-tests", "-"]])
    assert lines == [
        "N    NAME        STATUS",
        "7    lint        ok",
        "123  unit-tests  -",
    ]


def test_right_aligned_columns_and_missing_cells() -> None:
    lines = render_table(["N", "NAME"], [["7", "a"], ["123"]], right=[0])
    assert lines == ["  N  NAME", "  7  a", "123"]


def test_wide_characters_count_twice_and_combining_marks_not_at_all() -> None:
    assert display_width("日本") == 4
    assert display_width("e\u0301") == 1
    lines = render_table(["NAME", "X"], [["日本", "1"], ["abcd", "2"], ["e\u0301", "3"]])
    assert [display_width(line[: line.rindex(" ") + 1]) for line in lines] == [6, 6, 6, 6]


def test_emoji_sequences_and_zero_width_characters_take_the_columns_a_terminal_gives() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert display_width(family) == 2
    assert display_width("a\u200bb") == 2
    lines = render_table(["WHO", "X"], [[family, "1"], ["ab", "2"], ["a\u200bb", "3"]])
    assert [display_width(line[: line.rindex(" ") + 1]) for line in lines] == [5, 5, 5, 5]


def test_control_characters_become_one_space() -> None:
    assert clean("a\r\n\tb\x1b[31mc\x9bd  ") == "a b [31mc d"
    assert render_table(None, [["x\ny", "z"]]) == ["x y  z"]
    assert render_table(None, []) == []


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "-"),
        ("", "-"),
        ([], "-"),
        ({}, "-"),
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (1.5, "1.5"),
        (0.1239, "0.124"),
        (2.0, "2"),
        (PipelineState.ERRORED, "errored"),
        (datetime(2025, 3, 3, 9, 30, tzinfo=timezone(timedelta(hours=1))), "2025-03-03 08:30:00Z"),
        ({"deploy": True, "n": 3}, '{"deploy":true,"n":3}'),
        (["a", 1], '["a",1]'),
        ("text", "text"),
    ],
)  # fmt: skip
def test_cells(value: object, shown: str) -> None:
    assert cell(value) == shown


def test_output_writes_tables_or_json_lines() -> None:
    columns: list[Column[dict[str, object]]] = [
        Column("KEY", lambda d: d["key"]),
        Column("N", lambda d: d["n"], right=True),
    ]
    items: list[dict[str, object]] = [{"key": "a", "n": 1}, {"key": "bbb", "n": 22}]
    text = io.StringIO()
    Output(text, json_lines=False).table(columns, items, empty="none")
    assert text.getvalue() == "KEY   N\na     1\nbbb  22\n"
    lines = io.StringIO()
    Output(lines, json_lines=True).table(columns, items, empty="none")
    assert lines.getvalue() == '{"key": "a", "n": 1}\n{"key": "bbb", "n": 22}\n'
    empty = io.StringIO()
    Output(empty, json_lines=False).table(columns, [], empty="none")
    assert empty.getvalue() == "none\n"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("true", True),
        ("false", False),
        ("True", "True"),
        ("0", 0),
        ("42", 42),
        ("-7", -7),
        ("007", "007"),
        ("1.5", "1.5"),
        ("1e3", "1e3"),
        ("", ""),
        (" 3", " 3"),
        ("v1", "v1"),
    ],
)
def test_parameter_values_are_typed(text: str, value: bool | int | str) -> None:
    parsed = typed_value(text)
    assert parsed == value
    assert type(parsed) is type(value)


def test_parameters_are_key_value_pairs_given_once() -> None:
    assert pipeline_param("a=b=c") == ("a", "b=c")
    assert pipeline_param(" deploy =true") == ("deploy", True)
    for bad in ("deploy", "=1", " =1"):
        with pytest.raises(argparse.ArgumentTypeError, match="expected key=value"):
            pipeline_param(bad)
    assert collect_params([("a", 1), ("b", "x")]) == {"a": 1, "b": "x"}
    with pytest.raises(ValueError, match="'a' given twice"):
        collect_params([("a", 1), ("a", 2)])


def test_values_are_never_shown_whole() -> None:
    assert mask("a-long-secret-value") == "xxxxalue"
    assert mask("short-secret") == "xxxxcret"
    assert mask("short") == "xxxx"
    assert mask("") == "xxxx"
    assert shown_value("a-long-secret-value", "xxxxalue") == "xxxxalue"
    assert shown_value("a-long-secret-value", "a-long-secret-value") == "xxxxalue"
    assert shown_value("abc", "xxxxabc") == "xxxx"
    assert shown_value("", "xxxx") == "xxxx"
    assert listed_value("xxxxabc") == "xxxx"
    assert listed_value("xxxxabcd") == "xxxxabcd"
