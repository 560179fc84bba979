"""The fake's record classes cannot be confused with the client's models."""

from __future__ import annotations

import importlib
import pkgutil
import types

import circleci_async.models
import circleci_async.testing


def _record_modules() -> list[str]:
    package = circleci_async.testing
    return [
        f"{package.__name__}.{info.name}"
        for info in pkgutil.iter_modules(package.__path__)
        if info.name == "records" or info.name.endswith("_records")
    ]


def _imported(value: object, module: str) -> bool:
    """Whether `value` is a class, function or module that `module` only imports."""
    if isinstance(value, types.ModuleType):
        return True
    if isinstance(value, type | types.FunctionType):
        return value.__module__ != module
    return False


def test_the_record_modules_are_found() -> None:
    assert f"{circleci_async.testing.__name__}.records" in _record_modules()


def test_no_public_name_of_the_fake_is_a_model_name() -> None:
    models = {name for name in dir(circleci_async.models) if name.isidentifier()}
    models -= {name for name in models if name.startswith("_")}
    assert "Pipeline" in models
    clashes: dict[str, list[str]] = {}
    exported = set(circleci_async.testing.__all__)
    assert "PipelineRecord" in exported
    clashes["circleci_async.testing"] = sorted(exported & models)
    for name in _record_modules():
        module = importlib.import_module(name)
        defined = {
            key
            for key, value in vars(module).items()
            if not key.startswith("_") and not _imported(value, name)
        } | set(getattr(module, "__all__", ()))
        clashes[name] = sorted(defined & models)
    assert {module: names for module, names in clashes.items() if names} == {}
