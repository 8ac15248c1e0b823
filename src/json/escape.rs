//! Escaping bytes as the contents of a JSON string.

use crate::format::utf8::{control_or_high_mask, eq_mask, next_marked, sequence};

/// U+FFFD REPLACEMENT CHARACTER in UTF-8.
const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

/// What each byte needs: 0 nothing, 1 an escape, 3 a UTF-8 check.
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = if b < 0x20 {
            1
        } else if b >= 0x80 {
            3
        } else {
            0
        };
        b += 1;
    }
    t[b'"' as usize] = 1;
    t[b'\\' as usize] = 1;
    t
};

#[inline(always)]
fn mask(x: u64) -> u64 {
    control_or_high_mask(x) | eq_mask(x, b'"') | eq_mask(x, b'\\')
}

fn push_escape(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match b {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        0x08 => out.extend_from_slice(b"\\b"),
        0x0C => out.extend_from_slice(b"\\f"),
        _ => out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(b >> 4)],
            HEX[usize::from(b & 15)],
        ]),
    }
}

/// Appends `s` as the inside of a JSON string: `"`, `\` and control
/// characters escaped, bytes that are not UTF-8 replaced by U+FFFD (one per
/// maximal invalid sequence, as `String::from_utf8_lossy` and Python's
/// `errors="replace"` count them). Returns how many replacements were made.
pub(crate) fn escape(out: &mut Vec<u8>, s: &[u8]) -> u64 {
    let mut replaced = 0;
    let mut start = 0;
    let mut i = 0;
    loop {
        i = next_marked(s, i, mask);
        let Some(&b) = s.get(i) else { break };
        if CLASS[usize::from(b)] == 1 {
            out.extend_from_slice(&s[start..i]);
            push_escape(out, b);
            i += 1;
            start = i;
            continue;
        }
        match sequence(&s[i..]) {
            Ok(n) => i += n,
            Err(n) => {
                out.extend_from_slice(&s[start..i]);
                out.extend_from_slice(REPLACEMENT);
                replaced += 1;
                i += n;
                start = i;
            }
        }
    }
    out.extend_from_slice(&s[start..]);
    replaced
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_a_json_serializer() {
        for v in [
            &b"plain text, long enough for words"[..],
            b"q\"b\\s/\n\r\t\x08\x0c\x00\x1f\x7f",
            "Café ☃ 😀 \u{2028}".as_bytes(),
        ] {
            let mut out = vec![b'"'];
            assert_eq!(escape(&mut out, v), 0);
            out.push(b'"');
            let back: String = serde_json::from_slice(&out).unwrap();
            assert_eq!(back.as_bytes(), v);
        }
        let mut out = Vec::new();
        assert_eq!(escape(&mut out, b"a\xe9b\xf0\x9f\x98"), 2);
        assert_eq!(out, "a\u{FFFD}b\u{FFFD}".as_bytes());
    }
}
