"""The JSON codec: orjson when installed, the stdlib otherwise, same results either way."""

from __future__ import annotations

import importlib
import json
import sys

import pytest

from circleci_async import jsoncodec

BODY = {"items": [{"id": "x", "number": 3, "ok": True, "when": None}], "next_page_token": None}


def test_the_codec_round_trips() -> None:
    assert jsoncodec.loads(jsoncodec.dumps(BODY)) == BODY
    assert json.loads(jsoncodec.dumps(BODY)) == BODY


def test_the_stdlib_serves_without_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "orjson", None)
    plain = importlib.reload(jsoncodec)
    try:
        assert plain.BACKEND == "json"
        assert plain.loads(plain.dumps(BODY)) == BODY
        with pytest.raises(ValueError, match="Expecting value"):
            plain.loads(b"not json")
    finally:
        monkeypatch.undo()
        importlib.reload(jsoncodec)


def test_orjson_is_used_when_installed() -> None:
    pytest.importorskip("orjson")
    assert jsoncodec.BACKEND == "orjson"
    with pytest.raises(ValueError, match="char 0"):
        jsoncodec.loads(b"not json")


@pytest.mark.parametrize(
    "body",
    [
        b'{"text": "' + b"[" * 5000 + b'", "n": [[1]]}',
        b'["\\"' + b"{" * 800 + b'", "' + b"]" * 800 + b'", {}]',
        b"[" + b"[]," * 3000 + b"[]]",
    ],
)
def test_brackets_in_strings_and_wide_bodies_are_not_depth(body: bytes) -> None:
    assert jsoncodec.loads(body) == json.loads(body)


def test_depth_hidden_behind_closers_in_a_string_is_found() -> None:
    deep = b"[" * (jsoncodec.MAX_DEPTH + 1) + b"]" * (jsoncodec.MAX_DEPTH + 1)
    body = b'["' + b"]" * 2000 + b'", ' + deep + b"]"
    with pytest.raises(jsoncodec.NestingError):
        jsoncodec._stdlib_loads(body)
