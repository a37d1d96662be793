//! Splitting one CSV record into fields (RFC 4180 quoting, read leniently).
//!
//! A record is one line unless a field that opens with `"` runs past the line's end; the
//! caller then offers the record with the next lines joined (bounded) and, when no join
//! closes it into a record of the header's width, skips the line as an unbalanced quote —
//! so a stray quote costs one row, never the rest of the file.

use memchr::{memchr, memchr_iter};

/// The fields of the last record split: ranges into the line itself, or into an owned
/// buffer when quoting had to be undone.
#[derive(Default)]
pub(super) struct Fields {
    buf: Vec<u8>,
    ranges: Vec<(usize, usize)>,
    unquoted: bool,
}

impl Fields {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// Field `i` of `record` (the bytes last passed to [`split`]).
    #[inline]
    pub fn get<'a>(&'a self, record: &'a [u8], i: usize) -> &'a [u8] {
        let (a, b) = self.ranges[i];
        if self.unquoted {
            &record[a..b]
        } else {
            &self.buf[a..b]
        }
    }

    /// A hash of every field of `record`, equal for records equal field by field.
    pub fn hash(&self, record: &[u8]) -> u64 {
        (0..self.len()).fold(super::batch::HASH0, |h, i| {
            super::batch::hash_bytes(h, self.get(record, i))
        })
    }
}

/// Splits `record` on `delim` into `f`. Returns false when a quoted field is still open at
/// the end (the record may continue on the next line).
///
/// A field that starts with `"` is quoted: `""` inside it is one quote, and it ends at the
/// next lone `"`; anything between that and the delimiter is kept as it is. A quote inside
/// an unquoted field is an ordinary character.
pub(super) fn split(record: &[u8], delim: u8, f: &mut Fields) -> bool {
    f.ranges.clear();
    if memchr(b'"', record).is_none() {
        f.unquoted = true;
        let mut start = 0;
        for i in memchr_iter(delim, record) {
            f.ranges.push((start, i));
            start = i + 1;
        }
        f.ranges.push((start, record.len()));
        return true;
    }
    f.unquoted = false;
    f.buf.clear();
    let n = record.len();
    let mut i = 0;
    loop {
        let start = f.buf.len();
        if i < n && record[i] == b'"' {
            i += 1;
            loop {
                if i >= n {
                    return false;
                }
                if record[i] == b'"' {
                    if i + 1 < n && record[i + 1] == b'"' {
                        f.buf.push(b'"');
                        i += 2;
                    } else {
                        i += 1;
                        break;
                    }
                } else {
                    f.buf.push(record[i]);
                    i += 1;
                }
            }
        }
        while i < n && record[i] != delim {
            f.buf.push(record[i]);
            i += 1;
        }
        f.ranges.push((start, f.buf.len()));
        if i >= n {
            return true;
        }
        i += 1;
        if i == n {
            f.ranges.push((f.buf.len(), f.buf.len()));
            return true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(s: &str) -> Option<Vec<String>> {
        let mut f = Fields::default();
        split(s.as_bytes(), b',', &mut f).then(|| {
            (0..f.len())
                .map(|i| String::from_utf8_lossy(f.get(s.as_bytes(), i)).into_owned())
                .collect()
        })
    }

    #[test]
    fn plain_quoted_and_escaped_fields() {
        assert_eq!(fields("a,b,,c").unwrap(), ["a", "b", "", "c"]);
        assert_eq!(fields("a,").unwrap(), ["a", ""]);
        assert_eq!(fields(r#""x, y",2"#).unwrap(), ["x, y", "2"]);
        assert_eq!(
            fields(r#""say ""hi""",3,"#).unwrap(),
            [r#"say "hi""#, "3", ""]
        );
        assert_eq!(
            fields(r#"On "the" corner,1"#).unwrap(),
            [r#"On "the" corner"#, "1"]
        );
        assert_eq!(fields("\"a\nb\",c").unwrap(), ["a\nb", "c"]);
    }

    #[test]
    fn an_open_quote_asks_for_more() {
        assert!(fields(r#"1,"unclosed,2"#).is_none());
    }

    #[test]
    fn equal_fields_hash_equal_whatever_the_quoting() {
        let (a, b) = ("x,\"y\"", "x,\"z\"");
        let mut f = Fields::default();
        split(a.as_bytes(), b',', &mut f);
        let ha = f.hash(a.as_bytes());
        split(b.as_bytes(), b',', &mut f);
        assert_ne!(ha, f.hash(b.as_bytes()));
        split(b"x,y", b',', &mut f);
        assert_eq!(ha, f.hash(b"x,y"));
    }
}
