"""Reading a pack's JSON back (``send``'s body, ``build``'s previous pack): bounded, parsed
without NaN or Infinity, and checked against the kpireport/v1 schema, so a hand-edited or
truncated file is a message saying what is wrong and where."""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

from kpireport.errors import PackError
from kpireport.reading.inputs import read_bounded, single_line

MAX_PACK_JSON_BYTES = 64 * 1024 * 1024


def load_pack_json(path: Path) -> dict[str, Any]:
    """A pack's JSON, read with a bound and checked against the kpireport/v1 schema: a
    hand-edited or truncated file is a message saying what is wrong and where."""
    raw = read_bounded(path, MAX_PACK_JSON_BYTES, "pack JSON", PackError)
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise PackError(f"{path.name} is not a kpireport JSON pack ({_short_error(exc)}).") from None
    problem = pack_schema_problem(data)
    if problem:
        raise PackError(f"{path.name} is not a valid kpireport/v1 pack: {problem}")
    assert isinstance(data, dict)
    return data


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def _short_error(exc: BaseException) -> str:
    return single_line(str(exc))[:160] or type(exc).__name__


def pack_schema_problem(data: object) -> str | None:
    """What is wrong with ``data`` as a kpireport/v1 pack, with where; None when it is one."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(_pack_schema())
    # The first error, not best_match over all of them: that walks every error, and a 4 MB file
    # of a million empty KPIs holds millions (two minutes). best_match of the one still picks
    # the telling part of a oneOf.
    first = next(validator.iter_errors(data), None)
    if first is None:
        return None
    error = jsonschema.exceptions.best_match([first])
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path)
    return f"{where.lstrip('.') or 'the top level'}: {single_line(error.message)[:200]}"


@functools.cache
def _pack_schema() -> dict[str, Any]:
    text = (resources.files("kpireport") / "data" / "kpireport-v1.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
