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
