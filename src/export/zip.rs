//! A stored (uncompressed) zip archive, enough for the page to hand over an exported
//! project as one download: local headers, the data, a central directory and its end
//! record (PKWARE's APPNOTE, version 2.0 fields only), with each file's CRC-32.
//!
//! Every entry carries the same fixed date (1980-01-01 00:00, the format's first day),
//! so the same files always make the same bytes.

use crate::error::{Error, Result};

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as zip, gzip and PNG use it.
pub fn crc32(bytes: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            table[i] = c;
            i += 1;
        }
        table
    };
    let mut c = u32::MAX;
    for &b in bytes {
        c = TABLE[((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

/// DOS date of 1980-01-01: (year - 1980) << 9 | month << 5 | day.
const DOS_DATE: u16 = 1 << 5 | 1;

/// A zip of `files` (name, bytes), each stored as is, in order. Names are written as
/// UTF-8 (flag bit 11). An archive past the classic format's limits (4 GiB, 65,535
/// entries, names of 64 KiB) is an error: zip64 is not written.
pub fn stored_zip(files: &[(&str, &[u8])]) -> Result<Vec<u8>> {
    let too_big = |what: &str| Error::Format(format!("the zip would be too large: {what}"));
    let count = u16::try_from(files.len()).map_err(|_| too_big("too many files"))?;
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, bytes) in files {
        let offset = u32::try_from(out.len()).map_err(|_| too_big("over 4 GiB"))?;
        let size = u32::try_from(bytes.len()).map_err(|_| too_big(name))?;
        let name_len = u16::try_from(name.len()).map_err(|_| too_big("a long name"))?;
        let crc = crc32(bytes);
        // Version needed 2.0, UTF-8 names, stored, fixed time and date.
        let common = |v: &mut Vec<u8>| {
            put16(v, 20);
            put16(v, 1 << 11);
            put16(v, 0);
            put16(v, 0);
            put16(v, DOS_DATE);
            put32(v, crc);
            put32(v, size);
            put32(v, size);
            put16(v, name_len);
            put16(v, 0);
        };
        put32(&mut out, 0x0403_4B50);
        common(&mut out);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(bytes);

        put32(&mut central, 0x0201_4B50);
        put16(&mut central, 20); // made by: version 2.0, MS-DOS attributes
        common(&mut central);
        put16(&mut central, 0); // comment length
        put16(&mut central, 0); // disk number
        put16(&mut central, 0); // internal attributes
        put32(&mut central, 0); // external attributes
        put32(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let dir_offset = u32::try_from(out.len()).map_err(|_| too_big("over 4 GiB"))?;
    let dir_size = u32::try_from(central.len()).map_err(|_| too_big("a huge directory"))?;
    out.extend_from_slice(&central);
    put32(&mut out, 0x0605_4B50);
    put16(&mut out, 0); // this disk
    put16(&mut out, 0); // the directory's disk
    put16(&mut out, count);
    put16(&mut out, count);
    put32(&mut out, dir_size);
    put32(&mut out, dir_offset);
    put16(&mut out, 0); // comment length
    Ok(out)
}

fn put16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}

fn put32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_values() {
        // The catalogue's check value for CRC-32/ISO-HDLC, and the empty input.
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
    }

    #[test]
    fn entries_are_where_the_directory_says() {
        let files: [(&str, &[u8]); 2] = [("a.txt", b"hello"), ("dir/b.bin", &[0, 1, 2, 255])];
        let zip = stored_zip(&files).unwrap();
        let eocd = zip.len() - 22;
        let u16_at = |i: usize| u16::from_le_bytes([zip[i], zip[i + 1]]) as usize;
        let u32_at = |i: usize| u32::from_le_bytes(zip[i..i + 4].try_into().unwrap()) as usize;
        assert_eq!(u32_at(eocd), 0x0605_4B50);
        assert_eq!(u16_at(eocd + 10), 2);
        let mut entry = u32_at(eocd + 16);
        for (name, bytes) in files {
            assert_eq!(u32_at(entry), 0x0201_4B50);
            assert_eq!(u32_at(entry + 16), crc32(bytes) as usize);
            let name_len = u16_at(entry + 28);
            assert_eq!(&zip[entry + 46..entry + 46 + name_len], name.as_bytes());
            let local = u32_at(entry + 42);
            assert_eq!(u32_at(local), 0x0403_4B50);
            let start = local + 30 + u16_at(local + 26) + u16_at(local + 28);
            assert_eq!(&zip[start..start + bytes.len()], bytes);
            entry += 46 + name_len;
        }
        assert_eq!(stored_zip(&files).unwrap(), zip, "deterministic");
    }
}
