"""Tianxia from Python: the same engine, scenarios and batches as the ``tianxia`` CLI.

>>> import tianxia
>>> tianxia.run("scenarios/1231_borrowed_road.ron", seed=1)["outcomes"]["decisive_battle_winner"]
>>> rows, summary = tianxia.batch("scenarios/1231_borrowed_road.ron", runs=1000, seed=7,
...                               arms=["baseline", "no_blizzard"])
>>> rows.to_pandas().groupby("arm", observed=True)["jin_field_army_destroyed"].mean()

Every call is deterministic: the same arguments give the same result, byte for byte, as
the CLI does. Runs go with the GIL released, on ``threads`` worker threads (default: all
cores). A scenario with problems raises :class:`ScenarioError` with the located messages;
other bad arguments raise ``ValueError``.
"""

from __future__ import annotations

import io
import json
import numbers
from typing import Any, Mapping, NamedTuple, Optional, Sequence

import pyarrow as pa
import pyarrow.parquet as pq

from . import _tianxia
from ._errors import ScenarioError

__all__ = ["Batch", "ScenarioError", "batch", "describe", "run", "SEED_LIMIT", "__version__"]

__version__: str = _tianxia.engine_version()
#: Seeds are below 2**53, so every tool that reads them holds them exactly.
SEED_LIMIT: int = _tianxia.SEED_LIMIT


def _ron(value: Any) -> str:
    """A Python value as the RON text ``--set`` takes: a bool, any integral or real number
    (numpy's too), or a str, which is taken as RON text as it is (a RON string needs its
    quotes inside the str)."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    if isinstance(value, str):
        return value
    raise TypeError(f"cannot write {value!r} as a RON value: give a number, a bool, or RON text as a str")


def _names(what: str, values: Sequence[Any]) -> list[str]:
    """A list of names or paths; a lone str is refused (it would be read letter by letter)."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{what} takes a list, not a single string: {what}=[{values!r}]")
    return [str(v) for v in values]


def _values(path: str, values: Sequence[Any]) -> Sequence[Any]:
    if isinstance(values, (str, bytes)):
        raise TypeError(f"sweeps[{path!r}] takes a list of values, not a single string")
    return values


def _sets(sets: Optional[Mapping[str, Any]]) -> list[str]:
    return [f"{path}={_ron(v)}" for path, v in (sets or {}).items()]


def _paths(paths: Optional[Sequence[Any]]) -> list[str]:
    return _names("mods", paths or [])


def describe(
    path,
    mods: Sequence[Any] = (),
    variants: Sequence[str] = (),
    sets: Optional[Mapping[str, Any]] = None,
) -> dict:
    """What the scenario holds after its mods, variants and sets: ``describe --format json``."""
    return json.loads(_tianxia.describe(str(path), _paths(mods), _names("variants", variants), _sets(sets)))


def run(
    path,
    seed: int = 0,
    variants: Sequence[str] = (),
    sets: Optional[Mapping[str, Any]] = None,
    mods: Sequence[Any] = (),
    events: bool = False,
) -> dict:
    """One run: the dict of ``run --format json`` (scenario, seed, turns, end_date, outcomes,
    digest, ...). ``sets`` maps a ``--set`` path to a value: a bool, a number, or RON text
    as a str. With ``events=True`` it also holds ``"events"``, the event log as a list of
    dicts (the lines ``run --events`` writes)."""
    text = _tianxia.run(str(path), int(seed), _paths(mods), _names("variants", variants), _sets(sets), bool(events))
    return json.loads(text)


class Batch(NamedTuple):
    """A batch: ``rows`` (one row per run and arm, the columns and types of runs.parquet) and
    ``summary`` (the dict of summary.json). Unpacks as ``rows, summary = tianxia.batch(...)``."""

    rows: pa.Table
    summary: dict


def batch(
    path,
    runs: int,
    seed: int = 0,
    arms: Sequence[str] = (),
    sets: Optional[Mapping[str, Any]] = None,
    sweeps: Optional[Mapping[str, Sequence[Any]]] = None,
    threads: Optional[int] = None,
    variants: Sequence[str] = (),
    mods: Sequence[Any] = (),
) -> Batch:
    """``runs`` runs per arm, as ``tianxia batch`` makes them (run i of every arm uses the
    same seed), with the arms of the CLI's ``--arm``/``--variant``: without ``arms``, one
    arm made of ``variants`` (named after them, or ``baseline``); else each arm is
    ``baseline`` or variant names joined by ``+``, and ``variants`` apply to every arm
    before its own. ``sets`` ({path: value}, values as for :func:`run`) apply to every arm;
    ``sweeps`` ({path: [values]}) multiply the arms by each value. ``rows.to_pandas()`` or
    ``polars.from_arrow(rows)`` is one call away. (The batch is written to a scratch folder
    under the temporary directory, removed when it ends.)"""
    sweep_args = []
    for p, vs in (sweeps or {}).items():
        sweep_args.append(f"{p}={','.join(_ron(v) for v in _values(p, vs))}")
    data, summary = _tianxia.batch(
        str(path),
        int(runs),
        int(seed),
        _names("arms", arms),
        _paths(mods),
        _names("variants", variants),
        _sets(sets),
        sweep_args,
        threads,
    )
    return Batch(pq.read_table(io.BytesIO(data)), json.loads(summary))
