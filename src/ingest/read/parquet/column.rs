//! One column chunk of one row group as harmspot uses it: text (kept as dictionary indices,
//! [`super::pages`]), numbers, or dates and timestamps as months; nulls in place.

use super::pages::{read_strings, Strings, NULL};
use crate::ingest::read::batch::{hash_bytes, HASH0};
use crate::model::month::Month;
use parquet::basic::{ConvertedType, LogicalType, TimeUnit};
use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::DataType;
use parquet::file::reader::{FileReader, SerializedFileReader};

/// One column of one row group, one entry per row.
pub(super) enum Values {
    Text(Strings),
    Float(Vec<Option<f64>>),
    Int(Vec<Option<i64>>),
    /// Dates and timestamps, as the month they fall in.
    Month(Vec<Option<Month>>),
    Bool(Vec<Option<bool>>),
}

/// Reads a whole column chunk with the parquet crate's decoder, nulls in place.
fn read_typed<T: DataType>(
    mut r: ColumnReaderImpl<T>,
    rows: usize,
    max_def: i16,
) -> parquet::errors::Result<Vec<Option<T::T>>> {
    let mut vals: Vec<T::T> = Vec::with_capacity(rows);
    let mut defs: Vec<i16> = Vec::with_capacity(if max_def > 0 { rows } else { 0 });
    let mut done = 0;
    while done < rows {
        let levels = (max_def > 0).then_some(&mut defs);
        let (n, _, _) = r.read_records(rows - done, levels, None, &mut vals)?;
        if n == 0 {
            break;
        }
        done += n;
    }
    if max_def == 0 {
        return Ok(vals.into_iter().map(Some).collect());
    }
    let mut it = vals.into_iter();
    Ok(defs
        .iter()
        .map(|&d| if d == max_def { it.next() } else { None })
        .collect())
}

/// Days since 1970-01-01 as a month (H. Hinnant's `civil_from_days`).
pub(super) fn month_of_day(days: i64) -> Option<Month> {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Month::new(u32::try_from(y).ok()?, m as u32)
}

/// Units per day of a date or timestamp column, `None` for other columns.
fn per_day(logical: Option<&LogicalType>, converted: ConvertedType) -> Option<i64> {
    match (logical, converted) {
        (Some(LogicalType::Date), _) | (None, ConvertedType::DATE) => Some(1),
        (Some(LogicalType::Timestamp(t)), _) => Some(match t.unit {
            TimeUnit::MILLIS => 86_400_000,
            TimeUnit::MICROS => 86_400_000_000,
            TimeUnit::NANOS => 86_400_000_000_000,
        }),
        (None, ConvertedType::TIMESTAMP_MILLIS) => Some(86_400_000),
        (None, ConvertedType::TIMESTAMP_MICROS) => Some(86_400_000_000),
        _ => None,
    }
}

fn owned<T>(v: Vec<Option<T>>, f: impl Fn(T) -> Vec<u8>) -> Strings {
    let mut s = Strings::default();
    for x in v {
        s.push_owned(x.map(&f).as_deref());
    }
    s
}

/// Reads column `c` of row group `g` (`rows` rows).
pub(super) fn read(
    reader: &SerializedFileReader<bytes::Bytes>,
    g: usize,
    c: usize,
    rows: usize,
) -> parquet::errors::Result<Values> {
    let rg = reader.get_row_group(g)?;
    let desc = reader.metadata().file_metadata().schema_descr().column(c);
    let max_def = desc.max_def_level();
    let per_day = per_day(desc.logical_type_ref(), desc.converted_type());
    let month = |v: Vec<Option<i64>>, per: i64| {
        Values::Month(
            v.into_iter()
                .map(|d| d.and_then(|d| month_of_day(d.div_euclid(per))))
                .collect(),
        )
    };
    let ints = |v: Vec<Option<i64>>| match per_day {
        Some(p) => month(v, p),
        None => Values::Int(v),
    };
    Ok(match rg.get_column_reader(c)? {
        ColumnReader::ByteArrayColumnReader(r) => {
            match read_strings(rg.get_column_page_reader(c)?, max_def) {
                Some(s) if s.rows.len() == rows => Values::Text(s),
                _ => Values::Text(owned(read_typed(r, rows, max_def)?, |b| b.data().to_vec())),
            }
        }
        ColumnReader::FixedLenByteArrayColumnReader(r) => {
            Values::Text(owned(read_typed(r, rows, max_def)?, |b| b.data().to_vec()))
        }
        ColumnReader::DoubleColumnReader(r) => Values::Float(read_typed(r, rows, max_def)?),
        ColumnReader::FloatColumnReader(r) => {
            let v = read_typed(r, rows, max_def)?;
            Values::Float(v.into_iter().map(|v| v.map(f64::from)).collect())
        }
        ColumnReader::Int32ColumnReader(r) => {
            let v = read_typed(r, rows, max_def)?;
            ints(v.into_iter().map(|v| v.map(i64::from)).collect())
        }
        ColumnReader::Int64ColumnReader(r) => ints(read_typed(r, rows, max_def)?),
        ColumnReader::BoolColumnReader(r) => Values::Bool(read_typed(r, rows, max_def)?),
        ColumnReader::Int96ColumnReader(r) => Values::Month(
            read_typed(r, rows, max_def)?
                .into_iter()
                .map(|v| v.and_then(|t| month_of_day(i64::from(t.data()[2]) - 2_440_588)))
                .collect(),
        ),
    })
}

/// One step of the row hash (FxHash's multiply-rotate).
fn mix(h: u64, v: u64) -> u64 {
    (h.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95)
}

/// The value hashed for a null.
const NULL_HASH: u64 = 0x6e75_6c6c_6e75_6c6c;

impl Values {
    /// As text, for the columns read as text (month, crime type, id, names, weight).
    pub fn to_text(&self) -> Strings {
        let text = |s: String| s.into_bytes();
        match self {
            Values::Text(s) => s.clone(),
            Values::Float(v) => owned(v.clone(), |x| text(x.to_string())),
            Values::Int(v) => owned(v.clone(), |x| text(x.to_string())),
            Values::Month(v) => owned(v.clone(), |x| text(x.to_string())),
            Values::Bool(v) => owned(v.clone(), |x| text(x.to_string())),
        }
    }

    /// As coordinates: `None` when null or empty, NaN when not a number.
    pub fn to_coords(&self) -> Vec<Option<f64>> {
        match self {
            Values::Float(v) => v.clone(),
            Values::Int(v) => v.iter().map(|x| x.map(|x| x as f64)).collect(),
            Values::Text(s) => (0..s.rows.len())
                .map(|i| {
                    let t = std::str::from_utf8(s.get(i)?).map(str::trim);
                    match t {
                        Ok("") => None,
                        Ok(t) => Some(t.parse::<f64>().unwrap_or(f64::NAN)),
                        Err(_) => Some(f64::NAN),
                    }
                })
                .collect(),
            Values::Month(v) => v.iter().map(|x| x.map(|_| f64::NAN)).collect(),
            Values::Bool(v) => v.iter().map(|x| x.map(|_| f64::NAN)).collect(),
        }
    }

    /// Continues each row's hash with this column's value (each distinct text hashed once).
    pub fn hash_into(&self, h: &mut [u64]) {
        let mut step = |vals: &mut dyn Iterator<Item = Option<u64>>| {
            for (h, v) in h.iter_mut().zip(vals) {
                *h = mix(*h, v.unwrap_or(NULL_HASH));
            }
        };
        match self {
            Values::Text(s) => {
                let each: Vec<u64> = (0..s.values() as u32)
                    .map(|k| hash_bytes(HASH0, s.value(k)))
                    .collect();
                step(
                    &mut s
                        .rows
                        .iter()
                        .map(|&k| (k != NULL).then(|| each[k as usize])),
                );
            }
            Values::Float(v) => step(&mut v.iter().map(|x| x.map(f64::to_bits))),
            Values::Int(v) => step(&mut v.iter().map(|x| x.map(|x| x as u64))),
            Values::Month(v) => step(&mut v.iter().map(|x| x.map(|m| u64::from(m.index())))),
            Values::Bool(v) => step(&mut v.iter().map(|x| x.map(u64::from))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_to_months_across_eras() {
        assert_eq!(month_of_day(0), Month::new(1970, 1));
        assert_eq!(month_of_day(18_687), Month::new(2021, 3)); // 2021-03-01
        assert_eq!(month_of_day(18_686), Month::new(2021, 2)); // 2021-02-28
        assert_eq!(month_of_day(-1), Month::new(1969, 12));
        assert_eq!(month_of_day(11_016), Month::new(2000, 2)); // 2000-02-29
    }
}
