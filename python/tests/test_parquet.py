"""runs.parquet, as `tianxia batch --out` writes it, read by pandas (pyarrow), polars and DuckDB."""

import duckdb
import pandas as pd
import polars as pl
import pytest

from conftest import SCENARIO


@pytest.fixture(scope="module")
def runs(cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("parquet") / "b"
    cli("batch", SCENARIO, "--runs", "50", "--seed", "7", "--arm", "baseline", "--arm", "no_blizzard",
        "--sweep", "params.cold_attrition=0.001,0.002", "--quiet", "--out", out)
    return out


BOOL = "tolui_reaches_henan"
NUMBER = "tolui_strength_on_arrival"
CATEGORY = "decisive_battle_winner"
INPUT = "input:armies.tolui_right_wing.cavalry"
SWEEP = "sweep:params.cold_attrition"


def test_pandas_reads_the_types(runs):
    df = pd.read_parquet(runs / "runs.parquet")
    csv = pd.read_csv(runs / "runs.csv", dtype={"seed": "uint64"})
    assert len(df) == len(csv) == 50 * 4
    assert str(df["seed"].dtype) == "uint64" and str(df["run"].dtype) == "uint64"
    assert str(df["arm"].dtype) == "category" and str(df[CATEGORY].dtype) == "category"
    assert str(df[BOOL].dtype) == "bool"
    assert str(df[NUMBER].dtype) == "float64"
    assert str(df[INPUT].dtype) == "float64" and str(df[SWEEP].dtype) == "float64"
    assert (df["seed"].to_numpy() == csv["seed"].to_numpy()).all()
    assert (df[NUMBER].to_numpy() == csv[NUMBER].to_numpy()).all()
    assert sorted(df[SWEEP].unique()) == [0.001, 0.002]


def test_polars_reads_the_types(runs):
    df = pl.read_parquet(runs / "runs.parquet")
    assert df.schema["seed"] == pl.UInt64 and df.schema["run"] == pl.UInt64
    assert df.schema["arm"] == pl.Categorical and df.schema[CATEGORY] == pl.Categorical
    assert df.schema[BOOL] == pl.Boolean
    assert df.schema[NUMBER] == pl.Float64 and df.schema[INPUT] == pl.Float64
    assert df.height == 200


def test_duckdb_reads_the_types(runs):
    con = duckdb.connect()
    types = dict(con.execute(f"select column_name, column_type from (describe select * from "
                             f"'{runs / 'runs.parquet'}')").fetchall())
    assert types["seed"] == "UBIGINT" and types["run"] == "UBIGINT"
    assert types["arm"] == "VARCHAR" and types[CATEGORY] == "VARCHAR"
    assert types[BOOL] == "BOOLEAN"
    assert types[NUMBER] == "DOUBLE" and types[f"{INPUT}"] == "DOUBLE"
    arms = con.execute(f"select arm, count(*) from '{runs / 'runs.parquet'}' group by arm order by arm").fetchall()
    assert [a for a, _ in arms] == sorted(a for a, _ in arms) and all(n == 50 for _, n in arms)
