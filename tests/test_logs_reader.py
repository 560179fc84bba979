"""The bounded reader of step output (a JSON array of elements), without a server."""

from __future__ import annotations

import json

import pytest

from circleci_async.errors import DecodeError
from circleci_async.logs import ArrayReader, LogLine
from circleci_async.logs.reader import log_line

ELEMENTS: list[dict[str, str | None]] = [
    {"message": "\x1b[32mok\x1b[0m\n", "time": "2026-11-30T10:00:00Z", "type": "out"},
    {"message": 'quotes " and \\ and ] , [', "time": None, "type": "err"},
    {"message": "\nExited with code exit status 1\n", "time": "2026-11-30T10:00:01Z"},
]
BODY = json.dumps(ELEMENTS, indent=1).encode()


def read_all(body: bytes, size: int, **options: int) -> list[object]:
    reader = ArrayReader(**options)
    found: list[object] = []
    for start in range(0, len(body), size):
        found += reader.feed(body[start : start + size])
    return found + reader.close()


@pytest.mark.parametrize("size", [1, 2, 7, 64, 10_000])
def test_any_chunking_reads_the_same_elements(size: int) -> None:
    assert read_all(BODY, size) == ELEMENTS


def test_elements_become_log_lines() -> None:
    lines = [log_line(element, n) for n, element in enumerate(ELEMENTS)]
    assert lines[0] == LogLine("\x1b[32mok\x1b[0m\n", lines[0].time, "out")
    assert lines[0].time is not None
    assert lines[0].time.tzinfo is not None
    assert lines[1].stream == "err"
    assert lines[1].time is None
    assert log_line({"message": None, "type": 3}, 0) == LogLine("", None, "out")


def test_an_empty_array_has_no_elements() -> None:
    assert read_all(b" [ ] ", 1) == []


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"", "empty"),
        (b'{"message": "x"}', "not a JSON array"),
        (b"<html>Access Denied</html>", "not a JSON array"),
        (b'[{"message": "x"}] trailing', "after its array's end"),
        (b'[{"message": "x"} {"message": "y"}]', "expected ','"),
        (b'[{"message": bad}]', "not JSON"),
    ],
)
def test_bad_bodies_are_decode_errors_naming_the_problem(body: bytes, words: str) -> None:
    with pytest.raises(DecodeError, match=words):
        read_all(body, 3)


def test_a_log_cut_mid_element_gives_the_lines_read_then_an_error() -> None:
    reader = ArrayReader()
    cut = BODY[: BODY.index(b"Exited") + 3]
    found = reader.feed(cut)
    assert found == ELEMENTS[:2]
    with pytest.raises(DecodeError, match="ends in the middle of element 2"):
        reader.close()


def test_non_utf8_bytes_become_replacement_characters() -> None:
    body = b'[{"message": "caf\xe9 \xff ok"}]'
    (element,) = read_all(body, 4)
    assert element == {"message": "caf\ufffd \ufffd ok"}


def test_an_element_longer_than_the_cap_is_refused_while_reading() -> None:
    reader = ArrayReader(max_element=1000)
    reader.feed(b'[{"message": "')
    for _ in range(9):
        reader.feed(b"x" * 100)
    with pytest.raises(DecodeError, match="longer than 1000 characters"):
        reader.feed(b"x" * 2000)


def test_an_element_that_is_not_an_object_is_an_error() -> None:
    with pytest.raises(DecodeError, match="element 4 is a list"):
        log_line([1, 2], 4)


def test_the_buffer_holds_only_the_element_being_read() -> None:
    reader = ArrayReader()
    element = json.dumps({"message": "y" * 500, "time": None, "type": "out"}).encode()
    reader.feed(b"[")
    count = 0
    for _ in range(2000):
        count += len(reader.feed(element + b","))
        assert len(reader._buffer) - reader._pos <= 2 * len(element)
    count += len(reader.feed(element + b"]"))
    reader.close()
    assert count == 2001


def test_a_big_element_in_small_chunks_is_decoded_a_logarithmic_number_of_times() -> None:
    reader = ArrayReader()
    attempts = 0
    real = reader._decoder.raw_decode

    def counting(text: str, pos: int) -> tuple[object, int]:
        nonlocal attempts
        attempts += 1
        return real(text, pos)

    reader._decoder.raw_decode = counting  # type: ignore[method-assign,assignment]
    body = json.dumps([{"message": "z" * 2_000_000}]).encode()
    found = []
    for start in range(0, len(body), 1024):
        found += reader.feed(body[start : start + 1024])
    found += reader.close()
    assert len(found) == 1
    assert len(found[0]["message"]) == 2_000_000
    assert attempts < 40
