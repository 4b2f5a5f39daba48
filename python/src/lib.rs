//! The native half of the `tianxia` Python package: the library's describe, run and batch
//! behind a narrow interface of plain values (paths, strings, JSON text, Parquet bytes).
//! The Python half (`tianxia/__init__.py`) turns those into dicts and a `pyarrow.Table`.
//!
//! Runs go with the GIL released. Scenario problems raise `tianxia.ScenarioError` with the
//! located messages (`file:line:col: message`); other bad arguments raise `ValueError`.

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::path::{Path, PathBuf};
use tianxia_montecarlo::{BatchConfig, BatchError};
use tianxia_scenario::{LoadError, LoadOptions, Scenario};

/// Why a call failed, before it is turned into a Python exception (built with the GIL).
enum Failure {
    Scenario(Vec<String>),
    Value(String),
    Internal(String),
}

impl From<LoadError> for Failure {
    fn from(e: LoadError) -> Failure {
        Failure::Scenario(e.lines())
    }
}

impl From<BatchError> for Failure {
    fn from(e: BatchError) -> Failure {
        match e {
            BatchError::Load { arm, error } => {
                Failure::Scenario(error.lines().into_iter().map(|l| format!("in arm `{arm}`: {l}")).collect())
            }
            BatchError::Input(m) => Failure::Value(m),
            BatchError::Internal(m) => Failure::Internal(m),
        }
    }
}

impl Failure {
    fn into_py(self, py: Python<'_>) -> PyErr {
        match self {
            Failure::Scenario(messages) => {
                match py
                    .import("tianxia._errors")
                    .and_then(|m| m.getattr("ScenarioError"))
                    .and_then(|c| c.call1((messages.clone(),)))
                {
                    Ok(err) => PyErr::from_value(err),
                    Err(_) => PyValueError::new_err(messages.join("\n")),
                }
            }
            Failure::Value(m) => PyValueError::new_err(m),
            Failure::Internal(m) => PyRuntimeError::new_err(m),
        }
    }
}

fn check_seed(seed: u64) -> Result<(), Failure> {
    tianxia_engine::rng::check_seed(seed).map(drop).map_err(Failure::Value)
}

fn load(path: &Path, mods: Vec<PathBuf>, variants: Vec<String>, sets: Vec<String>) -> Result<Scenario, Failure> {
    Ok(tianxia_scenario::load(path, &LoadOptions { variants, sets, mods })?)
}

/// `describe --format json` of the scenario after its mods, variants and sets, as JSON text.
#[pyfunction]
fn describe(
    py: Python<'_>,
    path: PathBuf,
    mods: Vec<PathBuf>,
    variants: Vec<String>,
    sets: Vec<String>,
) -> PyResult<String> {
    py.detach(|| load(&path, mods, variants, sets).map(|s| tianxia_montecarlo::json::describe(&s).to_string()))
        .map_err(|f| f.into_py(py))
}

/// `run --format json` of one run, as JSON text; with `events`, the event log under "events".
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn run(
    py: Python<'_>,
    path: PathBuf,
    seed: u64,
    mods: Vec<PathBuf>,
    variants: Vec<String>,
    sets: Vec<String>,
    events: bool,
) -> PyResult<String> {
    py.detach(|| -> Result<String, Failure> {
        check_seed(seed)?;
        let scenario = load(&path, mods, variants, sets)?;
        let mut sim =
            scenario.sim(seed).map_err(|e| Failure::Internal(format!("the validated scenario did not build: {e}")))?;
        let result = sim.run();
        let mut v = tianxia_montecarlo::json::run(&scenario, seed, &result);
        if events {
            let log = tianxia_montecarlo::json::events(&sim).map_err(|e| Failure::Internal(e.to_string()))?;
            v["events"] = serde_json::Value::Array(log);
        }
        Ok(v.to_string())
    })
    .map_err(|f| f.into_py(py))
}

/// A batch, as `tianxia batch --out` makes it: the bytes of runs.parquet and summary.json's
/// text. `sweeps` are `PATH=V1,V2,...` as `--sweep` takes them.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn batch<'py>(
    py: Python<'py>,
    path: PathBuf,
    runs: u64,
    seed: u64,
    arms: Vec<String>,
    mods: Vec<PathBuf>,
    variants: Vec<String>,
    sets: Vec<String>,
    sweeps: Vec<String>,
    threads: Option<usize>,
) -> PyResult<(Bound<'py, PyBytes>, String)> {
    let (rows, summary) = py
        .detach(|| -> Result<(Vec<u8>, String), Failure> {
            check_seed(seed)?;
            let arms = tianxia_montecarlo::plan_arms(&arms, &variants, &sets, &sweeps)?;
            // A folder of its own under the temporary directory (unique, created with
            // O_EXCL; removed when dropped, also on an error).
            let scratch = tempfile::Builder::new()
                .prefix("tianxia-batch-")
                .tempdir()
                .map_err(|e| Failure::Internal(format!("cannot create a scratch folder: {e}")))?;
            let cfg = BatchConfig {
                scenario: path,
                runs,
                base_seed: seed,
                arms,
                mods,
                threads,
                shard: None,
                out: Some(scratch.path().to_path_buf()),
                resume: false,
                from: None,
            };
            let result = tianxia_montecarlo::run_batch(&cfg, &|_, _| {})?;
            let file = scratch.path().join("runs.parquet");
            let rows =
                std::fs::read(&file).map_err(|e| Failure::Internal(format!("cannot read {}: {e}", file.display())))?;
            Ok((rows, result.summary.to_string()))
        })
        .map_err(|f| f.into_py(py))?;
    Ok((PyBytes::new(py, &rows), summary))
}

/// The engine version (as run JSON's `engine_version`).
#[pyfunction]
fn engine_version() -> &'static str {
    tianxia_engine::VERSION
}

#[pymodule]
fn _tianxia(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(describe, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(batch, m)?)?;
    m.add_function(wrap_pyfunction!(engine_version, m)?)?;
    m.add("SEED_LIMIT", tianxia_engine::rng::SEED_LIMIT)?;
    Ok(())
}
