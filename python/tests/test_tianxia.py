"""The Python package against the CLI: the same arguments give the same results."""

import csv
import json
import threading
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import tianxia
from conftest import ROOT, SCENARIO, TUTORIAL

BROKEN = ROOT / "crates" / "tianxia-scenario" / "tests" / "corpus" / "unknown_ids.ron"


def test_describe_follows_the_contract_and_applies_its_layers():
    d = tianxia.describe(SCENARIO)
    for key in ["scenario", "name", "start", "end", "turn_days", "factions", "provinces", "routes", "armies",
                "variants", "outcomes", "inputs"]:
        assert key in d, key
    assert d["scenario"] == "1231_borrowed_road"
    assert {"id": "decisive_battle_winner", "kind": "category"}.items() <= d["outcomes"][2].items()
    tolui = next(a for a in d["armies"] if a["id"] == "tolui_right_wing")
    # A set that fixes a drawn number removes it from the inputs and shows in the army.
    fixed = tianxia.describe(SCENARIO, sets={"armies.tolui_right_wing.cavalry": 50000})
    tolui_fixed = next(a for a in fixed["armies"] if a["id"] == "tolui_right_wing")
    assert tolui_fixed["men"] != tolui["men"]
    assert "armies.tolui_right_wing.cavalry" not in [i["path"] for i in fixed["inputs"]]
    assert "armies.tolui_right_wing.cavalry" in [i["path"] for i in d["inputs"]]


def test_run_is_the_cli_run(cli):
    r = tianxia.run(SCENARIO, seed=1, variants=["no_blizzard"], sets={"params.cold_attrition": 0.002})
    expected = json.loads(cli("run", SCENARIO, "--seed", "1", "--variant", "no_blizzard",
                              "--set", "params.cold_attrition=0.002", "--format", "json"))
    assert r == expected
    assert r["seed"] == 1 and r["variants"] == ["no_blizzard"] and len(r["digest"]) == 16


def test_run_with_events_adds_the_event_log_of_the_cli(cli, tmp_path):
    r = tianxia.run(TUTORIAL, seed=3, events=True)
    log = tmp_path / "log.jsonl"
    plain = json.loads(cli("run", TUTORIAL, "--seed", "3", "--format", "json", "--events", log))
    events = r.pop("events")
    assert r == plain
    assert events == [json.loads(line) for line in log.read_text().splitlines()]
    assert events and all("turn" in e and "kind" in e for e in events)


def test_batch_rows_and_summary_are_the_clis(cli, tmp_path):
    args = dict(runs=60, seed=5, arms=["baseline", "no_horde"], sweeps={"params.rout_ratio": [2.0, 4.0]}, threads=2)
    rows, summary = tianxia.batch(TUTORIAL, **args)
    out = tmp_path / "b"
    cli("batch", TUTORIAL, "--runs", "60", "--seed", "5", "--arm", "baseline", "--arm", "no_horde",
        "--sweep", "params.rout_ratio=2.0,4.0", "--threads", "1", "--quiet", "--out", out)
    assert summary == json.loads((out / "summary.json").read_text())
    assert rows.equals(pq.read_table(out / "runs.parquet"))
    # Row for row, cell for cell, the CLI's runs.csv.
    with open(out / "runs.csv", newline="") as f:
        table = list(csv.reader(f))
    header, body = table[0], table[1:]
    assert rows.column_names == header
    assert rows.num_rows == len(body) == 60 * 4
    columns = {name: rows.column(name).to_pylist() for name in header}
    for i, line in enumerate(body):
        for name, cell in zip(header, line):
            value = columns[name][i]
            if value is None:
                assert cell == "", (i, name)
            elif isinstance(value, bool):
                assert cell == ("true" if value else "false"), (i, name)
            elif isinstance(value, float):
                assert float(cell) == value, (i, name, cell, value)
            else:
                assert cell == str(value), (i, name)
    assert all(0 <= s < tianxia.SEED_LIMIT for s in columns["seed"])


def test_batch_rows_have_the_types_of_runs_parquet():
    rows, _ = tianxia.batch(SCENARIO, runs=20, seed=1)
    schema = rows.schema
    assert schema.field("seed").type == pa.uint64()
    assert schema.field("run").type == pa.uint64()
    assert pa.types.is_dictionary(schema.field("arm").type)
    assert schema.field("tolui_reaches_henan").type == pa.bool_()
    assert schema.field("tolui_strength_on_arrival").type == pa.float64()
    assert pa.types.is_dictionary(schema.field("decisive_battle_winner").type)
    assert schema.field("input:armies.tolui_right_wing.cavalry").type == pa.float64()
    assert set(rows.column("arm").to_pylist()) == {"baseline"}


def test_scenario_problems_raise_scenario_error_with_located_messages():
    with pytest.raises(tianxia.ScenarioError) as e:
        tianxia.run(BROKEN)
    assert any(m.endswith("unknown_ids.ron:16:35: unknown province `kaifng`; did you mean `kaifeng`?")
               for m in e.value.messages), e.value.messages
    assert len(e.value.messages) == 3
    assert "3 problems found" in str(e.value)
    with pytest.raises(tianxia.ScenarioError):
        tianxia.describe(SCENARIO, variants=["no_such_variant"])
    with pytest.raises(tianxia.ScenarioError) as e:
        tianxia.batch(SCENARIO, runs=2, sets={"armies.nobody.cavalry": 1})
    assert "nobody" in str(e.value)
    # ScenarioError is a ValueError; other bad arguments are ValueErrors too.
    assert issubclass(tianxia.ScenarioError, ValueError)
    with pytest.raises(ValueError, match="below 2\\^53"):
        tianxia.run(SCENARIO, seed=2**53)
    with pytest.raises(ValueError, match="arm"):
        tianxia.batch(SCENARIO, runs=2, arms=["baseline", "baseline"])
    with pytest.raises(TypeError):
        tianxia.run(SCENARIO, sets={"params.cold_attrition": object()})


def test_the_gil_is_released_while_runs_go():
    result = {}

    def work():
        result["batch"] = tianxia.batch(SCENARIO, runs=600, seed=2, threads=1)

    worker = threading.Thread(target=work)
    started = time.perf_counter()
    worker.start()
    ticks = 0
    while worker.is_alive():
        ticks += 1
    elapsed = time.perf_counter() - started
    assert result["batch"].rows.num_rows == 600
    # Holding the GIL, the batch would stop this loop for its whole length.
    assert elapsed > 0.1 and ticks > 10_000, (elapsed, ticks)


def test_arms_values_and_errors_behave_as_the_cli_and_python_expect():
    import pickle

    import numpy as np

    # Without arms, one arm made of the variants and named after them, as the CLI does.
    _, summary = tianxia.batch(TUTORIAL, runs=4, variants=["no_horde"])
    assert [a["name"] for a in summary["arms"]] == ["no_horde"]
    _, summary = tianxia.batch(TUTORIAL, runs=4)
    assert [a["name"] for a in summary["arms"]] == ["baseline"]
    # numpy numbers are numbers; a lone string where a list belongs is refused.
    a = tianxia.run(TUTORIAL, seed=1, sets={"params.rout_ratio": np.float64(3.0), "armies.wei_main.cavalry": np.int64(9000)})
    b = tianxia.run(TUTORIAL, seed=1, sets={"params.rout_ratio": 3.0, "armies.wei_main.cavalry": 9000})
    assert a == b
    rows, _ = tianxia.batch(TUTORIAL, runs=4, sweeps={"params.rout_ratio": np.linspace(2.0, 4.0, 3)})
    assert sorted(set(rows.column("sweep:params.rout_ratio").to_pylist())) == [2.0, 3.0, 4.0]
    with pytest.raises(TypeError, match="list"):
        tianxia.run(TUTORIAL, variants="no_horde")
    with pytest.raises(TypeError, match="list"):
        tianxia.batch(TUTORIAL, runs=2, arms="baseline")
    # A ScenarioError crosses process boundaries whole.
    with pytest.raises(tianxia.ScenarioError) as e:
        tianxia.run(BROKEN)
    again = pickle.loads(pickle.dumps(e.value))
    assert again.messages == e.value.messages and str(again) == str(e.value)
