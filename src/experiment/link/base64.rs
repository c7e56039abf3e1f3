//! base64url without padding (RFC 4648 section 5): the alphabet that needs no escaping in
//! a URL fragment. Small enough to write here rather than add a crate.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Encodes `bytes` (no `=` padding).
pub(super) fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (chunk.iter().enumerate()).fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        // A chunk of k bytes gives k + 1 characters.
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes unpadded base64url; any other character, an impossible length or non-zero
/// trailing bits is an error naming the problem.
pub(super) fn decode(text: &str) -> Result<Vec<u8>, String> {
    let t = text.as_bytes();
    if t.len() % 4 == 1 {
        return Err(format!("{} characters is not a base64url length", t.len()));
    }
    let mut out = Vec::with_capacity(t.len() / 4 * 3 + 2);
    for chunk in t.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let v = ALPHABET.iter().position(|&a| a == c);
            let v = v.ok_or_else(|| format!("character {:?} is not base64url", c as char))?;
            n |= (v as u32) << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        let k = chunk.len() - 1;
        // The bits past the last whole byte must be zero (one spelling per blob).
        if k < 3 && bytes[k..].iter().any(|&b| b != 0) {
            return Err("the last base64url character has stray bits".to_string());
        }
        out.extend_from_slice(&bytes[..k]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4648_vectors_without_padding() {
        // RFC 4648 section 10 (the URL alphabet only differs in '+' and '/').
        let coded = ["", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"];
        for (len, coded) in coded.into_iter().enumerate() {
            let plain = &b"foobar"[..len];
            assert_eq!(encode(plain), coded);
            assert_eq!(decode(coded).unwrap(), plain);
        }
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn every_byte_string_round_trips_and_bad_text_is_refused() {
        let mut rng = crate::rng::Rng::new(5);
        for len in 0..200 {
            let bytes: Vec<u8> = (0..len).map(|_| rng.next_u32() as u8).collect();
            assert_eq!(decode(&encode(&bytes)).unwrap(), bytes);
        }
        // A lone character, padding, the '+' of standard base64, and stray low bits
        // ("Zh" and "Zm9" are one bit away from "Zg" = "f" and "Zm8" = "fo").
        for bad in ["A", "Zm9v=", "Zm+v", "Zh", "Zm9"] {
            assert!(decode(bad).is_err(), "{bad}");
        }
    }
}
