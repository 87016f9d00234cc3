//! The user's own CSV file: a header row of column names, then rows of numbers, one column the
//! target. Read with a small RFC 4180 reader (quoted fields, `""` for a quote, LF or CRLF line
//! ends) and checked cell by cell, so that a mistake is reported by row, as a spreadsheet numbers
//! rows (the header is row 1), and by column name.

use std::borrow::Cow;

use layerlab_spec::data::{CsvRef, CsvTask};
use layerlab_spec::limits::{MAX_CLASSES, MAX_SAMPLES, MAX_WIDTH};
use layerlab_spec::number;
use serde::{Deserialize, Serialize};

use super::DataError;
use super::split::Rows;
use super::tables::standardise;

/// The examples of a CSV file: the target column as the target (a class index or a value, as it
/// is), every other column an input, in file order. Input columns are standardised to mean 0 and
/// standard deviation 1 over all rows, test rows included.
pub(crate) fn read(csv: &CsvRef, text: Option<&str>) -> Result<Rows, DataError> {
    let name = &csv.name;
    let file_error = |message: String| DataError::new("data.dataset", format!("in `{name}`, {message}"));
    let Some(text) = text else {
        return Err(DataError::new(
            "data.dataset",
            format!("the CSV file `{name}` is not loaded: choose the file again"),
        ));
    };
    let table = Table::read(name, text)?;
    let (header, columns) = (&table.header, table.header.len());
    let target = target_column(csv, header)?;
    if columns == 1 {
        return Err(file_error(format!(
            "there is no column besides the target `{}`: add the input columns",
            csv.target
        )));
    }
    if columns - 1 != csv.inputs as usize {
        return Err(DataError::new(
            "data.dataset.inputs",
            format!(
                "is {}, but `{name}` has {} columns besides the target `{}`: set it to {}",
                csv.inputs,
                columns - 1,
                csv.target,
                columns - 1
            ),
        ));
    }
    let mut values = Vec::with_capacity(table.values.len());
    let mut targets = Vec::with_capacity(table.rows.len());
    for (row, cells) in table.rows.iter().zip(table.values.chunks(columns)) {
        for (column, &value) in cells.iter().enumerate() {
            if column == target {
                let target = class_or_value(csv.task, value)
                    .map_err(|m| file_error(format!("row {row}, column `{}`: {m}", header[column])))?;
                targets.push(target);
            } else {
                values.push(value);
            }
        }
    }
    table.enough_rows().map_err(file_error)?;
    let width = columns - 1;
    standardise(&mut values, width);
    let mut rows = Rows::new(width);
    rows.inputs = values.into_iter().map(|v| v as f32).collect();
    rows.targets = targets;
    Ok(rows)
}

/// What the page shows of a chosen CSV file before it trains on it: the columns, the number of
/// rows, the first few rows, and which columns could be a class target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsvSummary {
    pub columns: Vec<String>,
    pub rows: usize,
    /// The first [`PREVIEW_ROWS`] rows, as numbers.
    pub preview: Vec<Vec<f64>>,
    /// For each column, the number of classes it would make as the target: `Some(k)` when every
    /// value is a whole number from 0 to k - 1 (k from 2 to `MAX_CLASSES`), else `None`.
    pub classes: Vec<Option<u32>>,
}

/// Rows a [`CsvSummary`] shows.
pub const PREVIEW_ROWS: usize = 5;

impl CsvSummary {
    /// Reads a whole file as training would (every cell checked), without choosing a target.
    pub fn read(name: &str, text: &str) -> Result<Self, DataError> {
        let table = Table::read(name, text)?;
        table.enough_rows().map_err(|m| DataError::new("data.dataset", format!("in `{name}`, {m}")))?;
        let columns = table.header.len();
        if columns == 1 {
            return Err(DataError::new(
                "data.dataset",
                format!("in `{name}`, there is only one column: add the input columns beside the target"),
            ));
        }
        let classes = (0..columns)
            .map(|c| {
                let mut most = 0.0f64;
                for v in table.values.iter().skip(c).step_by(columns) {
                    if v.fract() != 0.0 || *v < 0.0 || *v >= f64::from(MAX_CLASSES) {
                        return None;
                    }
                    most = most.max(*v);
                }
                Some(most as u32 + 1).filter(|k| *k >= 2)
            })
            .collect();
        let preview = table.values.chunks(columns).take(PREVIEW_ROWS).map(<[f64]>::to_vec).collect();
        Ok(Self { rows: table.rows.len(), columns: table.header, preview, classes })
    }

    /// The reference to this file with the column `target` as the target: classes when the
    /// column holds classes, otherwise regression.
    pub fn reference(&self, name: &str, target: usize) -> CsvRef {
        let target = target.min(self.columns.len().saturating_sub(1));
        let task = match self.classes.get(target).copied().flatten() {
            Some(classes) => CsvTask::Classes { classes },
            None => CsvTask::Regression,
        };
        CsvRef {
            name: name.to_string(),
            inputs: u32::try_from(self.columns.len().saturating_sub(1)).unwrap_or(u32::MAX),
            target: self.columns.get(target).cloned().unwrap_or_default(),
            task,
        }
    }
}

/// A CSV file read through: its column names and its cells as numbers, row after row.
struct Table {
    header: Vec<String>,
    /// The spreadsheet row number of each row of data (the header is row 1).
    rows: Vec<usize>,
    values: Vec<f64>,
}

impl Table {
    /// Reads the header and every row, checking each cell is a number and each row as long as
    /// the header; at most `MAX_SAMPLES` rows and `MAX_WIDTH + 1` columns.
    fn read(name: &str, text: &str) -> Result<Self, DataError> {
        let file_error = |message: String| DataError::new("data.dataset", format!("in `{name}`, {message}"));
        let mut records = Records { text: text.strip_prefix('\u{feff}').unwrap_or(text), at: 0, row: 0 };
        let Some(header) = records.next_filled().transpose().map_err(file_error)? else {
            return Err(DataError::new(
                "data.dataset",
                format!("the CSV file `{name}` is empty: it needs a header row of column names, then rows of numbers"),
            ));
        };
        let header: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
        let columns = header.len();
        if columns > MAX_WIDTH as usize + 1 {
            return Err(file_error(format!(
                "the header has {columns} columns: a model takes at most {MAX_WIDTH} inputs (MAX_WIDTH) besides the \
                 target, so keep at most {} columns",
                MAX_WIDTH + 1
            )));
        }
        let mut table = Table { header, rows: Vec::new(), values: Vec::new() };
        while let Some(record) = records.next_filled() {
            let fields = record.map_err(file_error)?;
            let row = records.row;
            if table.rows.len() == MAX_SAMPLES as usize {
                return Err(file_error(format!(
                    "there are more than {MAX_SAMPLES} rows of data, beyond the limit (MAX_SAMPLES): keep at most \
                     {MAX_SAMPLES}"
                )));
            }
            if fields.len() != columns {
                return Err(file_error(format!(
                    "row {row} has {} field{}, the header has {columns}: give every row one value per column",
                    fields.len(),
                    if fields.len() == 1 { "" } else { "s" }
                )));
            }
            for (column, field) in fields.iter().enumerate() {
                let value = number(field)
                    .map_err(|m| file_error(format!("row {row}, column `{}`: {m}", table.header[column])))?;
                table.values.push(value);
            }
            table.rows.push(row);
        }
        Ok(table)
    }

    /// At least two rows: one to train on and one to test on.
    fn enough_rows(&self) -> Result<(), String> {
        match self.rows.len() {
            0 => Err("there is a header but no rows of data: add rows of numbers below it".into()),
            1 => Err("there is only 1 row of data: at least 2 are needed, one to train on and one to test on".into()),
            _ => Ok(()),
        }
    }
}

/// The index of the target column, which must be named exactly once.
fn target_column(csv: &CsvRef, header: &[String]) -> Result<usize, DataError> {
    let wanted = csv.target.trim();
    let found: Vec<usize> = (0..header.len()).filter(|&i| header[i] == wanted).collect();
    match found[..] {
        [index] => Ok(index),
        [] => {
            const SHOWN: usize = 20;
            let mut names: Vec<String> = header.iter().take(SHOWN).map(|h| format!("`{h}`")).collect();
            if header.len() > SHOWN {
                names.push(format!("and {} more", header.len() - SHOWN));
            }
            Err(DataError::new(
                "data.dataset.target",
                format!("`{wanted}` is not a column of `{}`: its columns are {}", csv.name, names.join(", ")),
            ))
        }
        _ => Err(DataError::new(
            "data.dataset.target",
            format!(
                "`{wanted}` names {} columns of `{}`: rename the others so the target is one column",
                found.len(),
                csv.name
            ),
        )),
    }
}

/// A cell as a number that fits an f32.
fn number(field: &str) -> Result<f64, String> {
    let text = field.trim();
    if text.is_empty() {
        return Err("the cell is empty: every cell needs a number".into());
    }
    let shown = shown(text);
    let Some(value) = number::number(text) else {
        return Err(if number::names_non_finite(text) {
            format!("`{shown}` is not a finite number: use an ordinary number such as 1.5")
        } else {
            format!("`{shown}` is not a number")
        });
    };
    if !(value as f32).is_finite() {
        return Err(format!("`{shown}` is too large: numbers must lie within ±3.4e38"));
    }
    Ok(value)
}

/// The target of a row: for classes, a whole number from 0 to classes - 1.
fn class_or_value(task: CsvTask, value: f64) -> Result<f32, String> {
    match task {
        CsvTask::Regression => Ok(value as f32),
        CsvTask::Classes { classes } => {
            if value.fract() == 0.0 && value >= 0.0 && value < f64::from(classes) {
                Ok(value as f32)
            } else {
                let last = classes.saturating_sub(1);
                Err(format!(
                    "`{value}` is not a class: with {classes} classes the target must be a whole number from 0 to {last}"
                ))
            }
        }
    }
}

/// A cell's text as quoted in a message: at most 40 characters.
fn shown(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(40) {
        Some((end, _)) => Cow::Owned(format!("{}…", &text[..end])),
        None => Cow::Borrowed(text),
    }
}

/// The records of CSV text, one at a time, counting rows as a spreadsheet does.
struct Records<'a> {
    text: &'a str,
    at: usize,
    /// The 1-based number of the record last read.
    row: usize,
}

impl<'a> Records<'a> {
    /// The next record with something in it; blank records (no text, or only commas and spaces)
    /// are passed over but counted.
    fn next_filled(&mut self) -> Option<Result<Vec<Cow<'a, str>>, String>> {
        loop {
            match self.next_record()? {
                Ok(fields) if fields.iter().all(|f| f.trim().is_empty()) => continue,
                other => return Some(other),
            }
        }
    }

    fn next_record(&mut self) -> Option<Result<Vec<Cow<'a, str>>, String>> {
        if self.at >= self.text.len() {
            return None;
        }
        self.row += 1;
        let bytes = self.text.as_bytes();
        let mut fields = Vec::new();
        loop {
            let field = if bytes.get(self.at) == Some(&b'"') {
                match self.quoted() {
                    Ok(field) => field,
                    Err(message) => return Some(Err(message)),
                }
            } else {
                let start = self.at;
                while self.at < bytes.len() && !matches!(bytes[self.at], b',' | b'\n' | b'\r') {
                    self.at += 1;
                }
                Cow::Borrowed(&self.text[start..self.at])
            };
            fields.push(field);
            match bytes.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b'\r') => {
                    self.at += if bytes.get(self.at + 1) == Some(&b'\n') { 2 } else { 1 };
                    return Some(Ok(fields));
                }
                Some(b'\n') => {
                    self.at += 1;
                    return Some(Ok(fields));
                }
                _ => return Some(Ok(fields)),
            }
        }
    }

    /// A field in double quotes, starting at the opening quote; `""` inside stands for `"`.
    fn quoted(&mut self) -> Result<Cow<'a, str>, String> {
        let row = self.row;
        let bytes = self.text.as_bytes();
        let start = self.at + 1;
        let mut field = String::new();
        let mut piece = start;
        let mut at = start;
        loop {
            match bytes.get(at) {
                None => return Err(format!("row {row} has a quoted field with no closing `\"`: close it")),
                Some(b'"') if bytes.get(at + 1) == Some(&b'"') => {
                    field.push_str(&self.text[piece..=at]);
                    at += 2;
                    piece = at;
                }
                Some(b'"') => {
                    self.at = at + 1;
                    if !matches!(bytes.get(self.at), None | Some(b',' | b'\n' | b'\r')) {
                        return Err(format!(
                            "row {row} has text after a closing `\"`: put the whole field in quotes, writing `\"\"` \
                             for a quote inside it"
                        ));
                    }
                    if piece == start {
                        return Ok(Cow::Borrowed(&self.text[start..at]));
                    }
                    field.push_str(&self.text[piece..at]);
                    return Ok(Cow::Owned(field));
                }
                Some(_) => at += 1,
            }
        }
    }
}
