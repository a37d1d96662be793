//! Text (BYTE_ARRAY) column chunks decoded page by page, keeping the dictionary: each row
//! is an index into the chunk's distinct values, so a value repeated on every row (a crime
//! type, a force, a snapped location) is looked at once, and no per-value buffer is
//! allocated or reference-counted.
//!
//! Format (Apache Parquet format spec, "Encodings" and "Data pages"): definition levels
//! and dictionary indices in the RLE/bit-packing hybrid; PLAIN byte arrays as a 4-byte
//! little-endian length then the bytes. Other encodings (DELTA_*) return `None`, and the
//! caller falls back to the parquet crate's own decoder.

use bytes::Bytes;
use parquet::basic::Encoding;
use parquet::column::page::{Page, PageReader};

/// A null row.
pub(super) const NULL: u32 = u32::MAX;

/// The distinct values of a chunk and, per row, the index of its value.
#[derive(Clone, Default)]
pub(super) struct Strings {
    bufs: Vec<Bytes>,
    /// (buffer, start, length) of each value.
    spans: Vec<(u32, u32, u32)>,
    /// Per row: index into the values, or [`NULL`].
    pub rows: Vec<u32>,
    /// Values owned here (text made from numbers or dates).
    own: Vec<u8>,
}

impl Strings {
    /// Value `k`.
    pub fn value(&self, k: u32) -> &[u8] {
        let (b, s, l) = self.spans[k as usize];
        let buf: &[u8] = if b == u32::MAX {
            &self.own
        } else {
            &self.bufs[b as usize]
        };
        &buf[s as usize..(s + l) as usize]
    }

    /// Row `i`'s value, `None` for null.
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        let k = self.rows[i];
        (k != NULL).then(|| self.value(k))
    }

    /// Number of distinct values (dictionary entries and plain values).
    pub fn values(&self) -> usize {
        self.spans.len()
    }

    /// Appends a row holding `v` (copied), or null.
    pub fn push_owned(&mut self, v: Option<&[u8]>) {
        match v {
            None => self.rows.push(NULL),
            Some(v) => {
                let start = self.own.len() as u32;
                self.own.extend_from_slice(v);
                self.spans.push((u32::MAX, start, v.len() as u32));
                self.rows.push((self.spans.len() - 1) as u32);
            }
        }
    }
}

/// A ULEB128 integer at `data[*pos..]`.
fn uleb(data: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *data.get(*pos)?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// `n` values of `bw` bits from the RLE/bit-packing hybrid in `data`.
fn hybrid(data: &[u8], bw: usize, n: usize) -> Option<Vec<u32>> {
    if bw > 32 {
        return None;
    }
    let mut out = Vec::with_capacity(n);
    let mut pos = 0;
    while out.len() < n {
        let header = uleb(data, &mut pos)?;
        let count = usize::try_from(header >> 1).ok()?;
        if count == 0 {
            return None;
        }
        if header & 1 == 0 {
            let nb = bw.div_ceil(8);
            let bytes = data.get(pos..pos + nb)?;
            pos += nb;
            let v = bytes
                .iter()
                .enumerate()
                .fold(0u32, |v, (i, b)| v | (u32::from(*b) << (8 * i)));
            out.extend(std::iter::repeat_n(v, count.min(n - out.len())));
        } else {
            let nbytes = count.checked_mul(bw)?;
            let chunk = data.get(pos..pos + nbytes)?;
            pos += nbytes;
            let mask = if bw == 32 {
                u64::from(u32::MAX)
            } else {
                (1u64 << bw) - 1
            };
            for j in 0..(count * 8).min(n - out.len()) {
                let bit = j * bw;
                let (byte, shift) = (bit / 8, bit % 8);
                let mut w = 0u64;
                for (i, b) in chunk
                    .iter()
                    .skip(byte)
                    .take((shift + bw).div_ceil(8))
                    .enumerate()
                {
                    w |= u64::from(*b) << (8 * i);
                }
                out.push(((w >> shift) & mask) as u32);
            }
        }
    }
    Some(out)
}

/// Bits needed for levels up to `max`.
fn bit_width(max: i16) -> usize {
    (16 - (max as u16).leading_zeros()) as usize
}

/// Appends the PLAIN byte arrays of `buf[at..]` (`n` of them) as values from buffer `b`.
fn plain(
    buf: &[u8],
    mut at: usize,
    n: usize,
    b: u32,
    spans: &mut Vec<(u32, u32, u32)>,
) -> Option<()> {
    for _ in 0..n {
        let len = u32::from_le_bytes(buf.get(at..at + 4)?.try_into().ok()?) as usize;
        at += 4;
        buf.get(at..at + len)?;
        spans.push((b, u32::try_from(at).ok()?, len as u32));
        at += len;
    }
    Some(())
}

/// One data page's rows: `defs` the definition levels (empty when the column is required),
/// the values from `buf[at..]`.
fn data_page(
    out: &mut Strings,
    dict: usize,
    buf: Bytes,
    at: usize,
    encoding: Encoding,
    (n, defs, max_def): (usize, &[u32], i16),
) -> Option<()> {
    let present = |i: usize| defs.is_empty() || defs[i] == max_def as u32;
    let count = if defs.is_empty() {
        n
    } else {
        (0..n).filter(|&i| present(i)).count()
    };
    let indices: Vec<u32> = match encoding {
        Encoding::PLAIN => {
            let first = out.spans.len();
            plain(&buf, at, count, out.bufs.len() as u32, &mut out.spans)?;
            out.bufs.push(buf);
            (first as u32..out.spans.len() as u32).collect()
        }
        Encoding::RLE_DICTIONARY | Encoding::PLAIN_DICTIONARY => {
            let bw = *buf.get(at)? as usize;
            let v = hybrid(buf.get(at + 1..)?, bw, count)?;
            if v.iter().any(|&k| k as usize >= dict) {
                return None;
            }
            v
        }
        _ => return None,
    };
    let mut it = indices.into_iter();
    for i in 0..n {
        out.rows.push(if present(i) { it.next()? } else { NULL });
    }
    Some(())
}

/// Reads a flat BYTE_ARRAY column chunk; `None` when it uses an encoding not decoded here
/// or is malformed (the caller then uses the parquet crate's decoder, which names the
/// problem).
pub(super) fn read_strings(mut pages: Box<dyn PageReader>, max_def: i16) -> Option<Strings> {
    let mut out = Strings::default();
    let mut dict = 0;
    while let Some(page) = pages.get_next_page().ok()? {
        match page {
            Page::DictionaryPage {
                buf, num_values, ..
            } => {
                if !out.spans.is_empty() {
                    return None;
                }
                plain(&buf, 0, num_values as usize, 0, &mut out.spans)?;
                out.bufs.push(buf);
                dict = out.spans.len();
            }
            Page::DataPage {
                buf,
                num_values,
                encoding,
                def_level_encoding,
                ..
            } => {
                let n = num_values as usize;
                let (defs, at) = if max_def > 0 {
                    if def_level_encoding != Encoding::RLE {
                        return None;
                    }
                    let len = u32::from_le_bytes(buf.get(0..4)?.try_into().ok()?) as usize;
                    (
                        hybrid(buf.get(4..4 + len)?, bit_width(max_def), n)?,
                        4 + len,
                    )
                } else {
                    (Vec::new(), 0)
                };
                data_page(&mut out, dict, buf, at, encoding, (n, &defs, max_def))?;
            }
            Page::DataPageV2 {
                buf,
                num_values,
                encoding,
                def_levels_byte_len,
                rep_levels_byte_len,
                ..
            } => {
                let n = num_values as usize;
                let (r, d) = (rep_levels_byte_len as usize, def_levels_byte_len as usize);
                let defs = if max_def > 0 {
                    hybrid(buf.get(r..r + d)?, bit_width(max_def), n)?
                } else {
                    Vec::new()
                };
                data_page(&mut out, dict, buf, r + d, encoding, (n, &defs, max_def))?;
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hybrid_runs_and_bit_packed_groups() {
        // RLE run of 5 × 3 (bit width 2: one byte), then one bit-packed group of 8 values
        // 0..=7 at 3 bits (3 bytes, LSB first)
        let data = [0x0a, 0x03, 0x03, 0b1000_1000, 0b1100_0110, 0b1111_1010];
        let v = hybrid(&data[..2], 2, 5).unwrap();
        assert_eq!(v, vec![3; 5]);
        let v = hybrid(&data[2..], 3, 8).unwrap();
        assert_eq!(v, vec![0, 1, 2, 3, 4, 5, 6, 7]);
        assert!(hybrid(&[0x03], 3, 8).is_none(), "a group past the end");
        assert!(hybrid(&[0x00], 1, 1).is_none(), "an empty run never ends");
    }

    #[test]
    fn plain_values_and_bounds() {
        let mut spans = Vec::new();
        let buf = [2, 0, 0, 0, b'a', b'b', 0, 0, 0, 0];
        plain(&buf, 0, 2, 0, &mut spans).unwrap();
        assert_eq!(spans, vec![(0, 4, 2), (0, 10, 0)]);
        assert!(plain(&buf, 0, 3, 0, &mut Vec::new()).is_none());
        assert_eq!((bit_width(1), bit_width(3), bit_width(4)), (1, 2, 3));
    }

    /// Writes `vals` as one nullable text column (dictionary or plain, data page v1 or v2)
    /// with the parquet crate and reads it back through [`read_strings`].
    fn round_trip(vals: &[Option<&str>], dict: bool, v2: bool) -> Option<Vec<Option<String>>> {
        use parquet::data_type::{ByteArray, ByteArrayType};
        use parquet::file::properties::{WriterProperties, WriterVersion};
        use parquet::file::reader::{FileReader, SerializedFileReader};
        use std::sync::Arc;
        let schema = parquet::schema::parser::parse_message_type(
            "message m { OPTIONAL BYTE_ARRAY t (STRING); }",
        )
        .unwrap();
        let props = WriterProperties::builder()
            .set_dictionary_enabled(dict)
            .set_writer_version(if v2 {
                WriterVersion::PARQUET_2_0
            } else {
                WriterVersion::PARQUET_1_0
            })
            .set_data_page_row_count_limit(3)
            .set_write_batch_size(2)
            .build();
        let mut out = Vec::new();
        let mut w = parquet::file::writer::SerializedFileWriter::new(
            &mut out,
            Arc::new(schema),
            Arc::new(props),
        )
        .unwrap();
        let mut rg = w.next_row_group().unwrap();
        let mut col = rg.next_column().unwrap().unwrap();
        let defs: Vec<i16> = vals.iter().map(|v| i16::from(v.is_some())).collect();
        let data: Vec<ByteArray> = vals.iter().flatten().map(|v| ByteArray::from(*v)).collect();
        col.typed::<ByteArrayType>()
            .write_batch(&data, Some(&defs), None)
            .unwrap();
        col.close().unwrap();
        rg.close().unwrap();
        w.close().unwrap();
        let r = SerializedFileReader::new(Bytes::from(out)).unwrap();
        let rg = r.get_row_group(0).unwrap();
        let s = read_strings(rg.get_column_page_reader(0).unwrap(), 1)?;
        Some(
            (0..vals.len())
                .map(|i| s.get(i).map(|b| String::from_utf8(b.to_vec()).unwrap()))
                .collect(),
        )
    }

    #[test]
    fn reads_what_the_parquet_crate_writes() {
        let vals = [
            Some("a"),
            None,
            Some("bb"),
            Some("a"),
            Some(""),
            None,
            Some("bb"),
            Some("c"),
        ];
        let want: Vec<Option<String>> = vals.iter().map(|v| v.map(String::from)).collect();
        for (dict, v2) in [(true, false), (false, false), (true, true)] {
            assert_eq!(
                round_trip(&vals, dict, v2),
                Some(want.clone()),
                "dict {dict} v2 {v2}"
            );
        }
        // v2 without a dictionary writes DELTA_BYTE_ARRAY: left to the crate's decoder
        assert_eq!(round_trip(&vals, false, true), None);
    }
}
