//! Old Mac (classic Mac OS) exports end lines with a lone CR. The block reader cuts files at
//! LF, so such a file would read as one header line and no rows; it is recognised from its
//! first line end and read through [`CrToLf`], which turns every CR into LF (an empty line
//! is skipped like any other, so CRLF inside such a file is harmless).

use std::io::{BufRead, Read, Result};

/// Whether the first line end in the buffered head of `reader` is a lone CR (CR not
/// followed by LF). Consumes nothing.
pub(super) fn cr_only(reader: &mut impl BufRead) -> Result<bool> {
    let head = reader.fill_buf()?;
    Ok(match memchr::memchr2(b'\r', b'\n', head) {
        Some(k) if head[k] == b'\r' => head.get(k + 1).is_some_and(|&b| b != b'\n'),
        _ => false,
    })
}

/// A reader that yields LF for every CR of the reader it wraps.
pub(super) struct CrToLf<R>(pub R);

impl<R: Read> Read for CrToLf<R> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        let n = self.0.read(buf)?;
        for b in &mut buf[..n] {
            if *b == b'\r' {
                *b = b'\n';
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    #[test]
    fn a_lone_cr_is_recognised_and_crlf_or_lf_is_not() {
        let cr = |s: &[u8]| cr_only(&mut BufReader::new(s)).unwrap();
        assert!(cr(b"a,b\r1,2\r"));
        assert!(!cr(b"a,b\r\n1,2\r\n"));
        assert!(!cr(b"a,b\n1,2\r3"));
        assert!(!cr(b"a,b"));
    }

    #[test]
    fn every_cr_becomes_lf() {
        let mut out = String::new();
        CrToLf(&b"a\rb\r\nc"[..]).read_to_string(&mut out).unwrap();
        assert_eq!(out, "a\nb\n\nc");
    }
}
