//! `runs.parquet`: the rows of runs.csv with their types, for pandas, polars, DuckDB and R.
//!
//! It is made from the finished runs.csv, never from the runs in memory: a fresh batch, a
//! resumed one and a merge of shards hold the same runs.csv (resume and merge check its rows
//! against their checksums as they read it), so they write the same runs.parquet, byte for
//! byte.
//!
//! Types: `arm` a dictionary-encoded string; `run` and `seed` unsigned 64-bit integers (seeds
//! are below 2^53); a bool outcome a boolean, a number a float64, a category a
//! dictionary-encoded string; an `input:` column a nullable float64 (null where the arm does
//! not draw it); a `sweep:` column a nullable float64 when every value is a number, else a
//! dictionary-encoded string. An empty cell of those columns is a null; of an outcome (a
//! category whose label is empty), an empty string. Snappy-compressed row groups of up to
//! [`ROW_GROUP_ROWS`] rows.

use crate::{BatchError, FIXED_COLUMNS, TmpFile};
use arrow_array::builder::{BooleanBuilder, Float64Builder, StringDictionaryBuilder, UInt64Builder};
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use tianxia_scenario::resolve::OutcomeKind;

/// Rows per record batch handed to the writer (the memory it holds at once).
const BATCH_ROWS: usize = 65_536;

/// Rows per row group of the file (a reader's unit of work).
pub(crate) const ROW_GROUP_ROWS: usize = 1 << 20;

/// One column being built, and whether an empty cell is a null in it.
struct Col {
    data: Data,
    nullable: bool,
}

enum Data {
    Dict(StringDictionaryBuilder<Int32Type>),
    U64(UInt64Builder),
    Bool(BooleanBuilder),
    F64(Float64Builder),
}

impl Col {
    fn new(field: &Field) -> Col {
        let data = match field.data_type() {
            DataType::UInt64 => Data::U64(UInt64Builder::new()),
            DataType::Boolean => Data::Bool(BooleanBuilder::new()),
            DataType::Float64 => Data::F64(Float64Builder::new()),
            _ => Data::Dict(StringDictionaryBuilder::new()),
        };
        Col { data, nullable: field.is_nullable() }
    }

    /// Appends one cell; an empty cell of a nullable column is a null.
    fn push(&mut self, cell: &str) -> Result<(), String> {
        if cell.is_empty() && self.nullable {
            match &mut self.data {
                Data::Dict(b) => b.append_null(),
                Data::U64(b) => b.append_null(),
                Data::Bool(b) => b.append_null(),
                Data::F64(b) => b.append_null(),
            }
            return Ok(());
        }
        match &mut self.data {
            Data::Dict(b) => {
                b.append_value(cell);
            }
            Data::U64(b) => b.append_value(cell.parse().map_err(|_| format!("`{cell}` is not a whole number"))?),
            Data::Bool(b) => b.append_value(match cell {
                "true" => true,
                "false" => false,
                _ => return Err(format!("`{cell}` is not true or false")),
            }),
            Data::F64(b) => b.append_value(cell.parse().map_err(|_| format!("`{cell}` is not a number"))?),
        }
        Ok(())
    }

    fn finish(&mut self) -> ArrayRef {
        match &mut self.data {
            Data::Dict(b) => Arc::new(b.finish()),
            Data::U64(b) => Arc::new(b.finish()),
            Data::Bool(b) => Arc::new(b.finish()),
            Data::F64(b) => Arc::new(b.finish()),
        }
    }
}

fn dict() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

/// Writes `dest` (runs.parquet) from the finished, checked runs.csv at `runs_csv`, whose
/// outcome columns are `outcomes` and extra columns `columns`.
pub(crate) fn write_parquet(
    runs_csv: &Path,
    dest: &Path,
    outcomes: &[(String, OutcomeKind)],
    columns: &[String],
) -> Result<(), BatchError> {
    let internal = |e: String| BatchError::Internal(format!("writing {}: {e}", dest.display()));
    let reader = || {
        csv::ReaderBuilder::new()
            .has_headers(true)
            .from_path(runs_csv)
            .map_err(|e| BatchError::Input(format!("cannot read {}: {e}", runs_csv.display())))
    };
    let first_extra = FIXED_COLUMNS + outcomes.len();
    // A sweep column is numeric when all its values are numbers (known only from the rows).
    let mut numeric = vec![true; columns.len()];
    if columns.iter().any(|c| c.starts_with("sweep:")) {
        for rec in reader()?.records() {
            let rec = rec.map_err(|e| internal(e.to_string()))?;
            for (i, c) in columns.iter().enumerate() {
                let cell = rec.get(first_extra + i).unwrap_or("");
                if c.starts_with("sweep:") && !cell.is_empty() && cell.parse::<f64>().is_err() {
                    numeric[i] = false;
                }
            }
        }
    }
    let mut fields = vec![
        Field::new("arm", dict(), false),
        Field::new("run", DataType::UInt64, false),
        Field::new("seed", DataType::UInt64, false),
    ];
    for (id, kind) in outcomes {
        let ty = match kind {
            OutcomeKind::Bool => DataType::Boolean,
            OutcomeKind::Number => DataType::Float64,
            OutcomeKind::Category => dict(),
        };
        fields.push(Field::new(id, ty, false));
    }
    for (c, num) in columns.iter().zip(&numeric) {
        fields.push(Field::new(c, if *num { DataType::Float64 } else { dict() }, true));
    }
    let schema = Arc::new(Schema::new(fields));
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .build();
    let mut file = TmpFile::create(dest)?;
    let mut writer =
        ArrowWriter::try_new(Sink(&mut file), schema.clone(), Some(props)).map_err(|e| internal(e.to_string()))?;
    let mut cols: Vec<Col> = schema.fields().iter().map(|f| Col::new(f)).collect();
    let flush = |cols: &mut Vec<Col>, writer: &mut ArrowWriter<Sink>| -> Result<(), BatchError> {
        let arrays: Vec<ArrayRef> = cols.iter_mut().map(Col::finish).collect();
        let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(|e| internal(e.to_string()))?;
        writer.write(&batch).map_err(|e| internal(e.to_string()))
    };
    let mut pending = 0;
    for (line, rec) in reader()?.records().enumerate() {
        let rec = rec.map_err(|e| internal(e.to_string()))?;
        if rec.len() != cols.len() {
            return Err(internal(format!("row {} has {} cells, not {}", line + 1, rec.len(), cols.len())));
        }
        for (col, cell) in cols.iter_mut().zip(rec.iter()) {
            col.push(cell).map_err(|e| internal(format!("row {}: {e}", line + 1)))?;
        }
        pending += 1;
        if pending == BATCH_ROWS {
            flush(&mut cols, &mut writer)?;
            pending = 0;
        }
    }
    if pending > 0 {
        flush(&mut cols, &mut writer)?;
    }
    writer.close().map_err(|e| internal(e.to_string()))?;
    file.commit()
}

/// The writer's view of a [`TmpFile`].
struct Sink<'a>(&'a mut TmpFile);

impl Write for Sink<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.0.inner() {
            Some(f) => f.write(buf),
            None => Ok(buf.len()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.0.inner() {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, UInt64Type};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    #[test]
    fn the_parquet_file_holds_the_csv_rows_with_their_types() {
        let dir = std::env::temp_dir().join(format!("tianxia-columnar-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let csv = dir.join("runs.csv");
        std::fs::write(
            &csv,
            "arm,run,seed,won,men,winner,input:a.b,sweep:p,sweep:q\n\
             base,0,9007199254740991,true,1.5,song,0.25,1,x\n\
             other,0,9007199254740991,false,NaN,,,2,\"y,z\"\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let outcomes = [
            ("won".to_string(), OutcomeKind::Bool),
            ("men".to_string(), OutcomeKind::Number),
            ("winner".to_string(), OutcomeKind::Category),
        ];
        let columns = ["input:a.b".to_string(), "sweep:p".to_string(), "sweep:q".to_string()];
        let dest = dir.join("runs.parquet");
        write_parquet(&csv, &dest, &outcomes, &columns).unwrap_or_else(|e| panic!("{e}"));
        let file = std::fs::File::open(&dest).unwrap_or_else(|e| panic!("{e}"));
        let reader =
            ParquetRecordBatchReaderBuilder::try_new(file).and_then(|b| b.build()).unwrap_or_else(|e| panic!("{e}"));
        let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>().unwrap_or_else(|e| panic!("{e}"));
        let b = &batches[0];
        assert_eq!(b.num_rows(), 2);
        let types: Vec<String> = b.schema().fields().iter().map(|f| f.data_type().to_string()).collect();
        let d = dict().to_string();
        assert_eq!(types, [&d, "UInt64", "UInt64", "Boolean", "Float64", &d, "Float64", "Float64", &d]);
        assert_eq!(b.column(2).as_primitive::<UInt64Type>().value(0), 9_007_199_254_740_991);
        assert!(b.column(3).as_boolean().value(0) && !b.column(3).as_boolean().value(1));
        assert_eq!(b.column(4).as_primitive::<Float64Type>().value(0), 1.5);
        assert!(b.column(4).as_primitive::<Float64Type>().value(1).is_nan());
        let input = b.column(6).as_primitive::<Float64Type>();
        assert_eq!((input.value(0), input.is_null(1)), (0.25, true), "an empty cell is a null");
        // An outcome's empty label is a label, not a null (the column is not nullable).
        let winner = b.column(5).as_dictionary::<Int32Type>();
        assert!(!winner.is_null(1));
        assert_eq!(winner.values().as_string::<i32>().value(winner.keys().value(1) as usize), "");
        let q = b.column(8).as_dictionary::<Int32Type>();
        let labels = q.values().as_string::<i32>();
        assert_eq!(labels.value(q.keys().value(1) as usize), "y,z");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
