//! Escaping bytes as XML 1.0 character data.

use crate::SUBFIELD_DELIMITER;
use crate::format::utf8::{control_or_high_mask, eq_mask, next_marked, sequence, splat};

/// U+FFFD REPLACEMENT CHARACTER in UTF-8.
const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

/// What each byte needs: 0 nothing, 1 a reference, 2 a replacement (a
/// control character XML 1.0 forbids), 3 a UTF-8 check (bytes above 0x7F).
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = if b < 0x20 {
            2
        } else if b >= 0x80 {
            3
        } else {
            0
        };
        b += 1;
    }
    t[b'\t' as usize] = 0;
    t[b'\n' as usize] = 0;
    t[b'\r' as usize] = 1;
    t[b'<' as usize] = 1;
    t[b'>' as usize] = 1;
    t[b'&' as usize] = 1;
    t[b'"' as usize] = 1;
    t
};

/// Flags (at least) every byte `CLASS` does not mark 0, eight at a time:
/// controls, bytes above 0x7F, and `<` `>` (0x3C, 0x3E: both 0x3E once bit
/// 1 is set) and `"` `&` (0x22, 0x26: both 0x26 once bit 2 is set).
#[inline(always)]
fn mask(x: u64) -> u64 {
    control_or_high_mask(x) | eq_mask(x | splat(0x02), b'>') | eq_mask(x | splat(0x04), b'&')
}

fn reference(b: u8) -> &'static [u8] {
    match b {
        b'<' => b"&lt;",
        b'>' => b"&gt;",
        b'&' => b"&amp;",
        b'"' => b"&quot;",
        // A literal CR would be read back as LF (XML end-of-line handling).
        b'\r' => b"&#13;",
        _ => b"",
    }
}

/// Appends `value` as XML character data (good in text and in
/// double-quoted attributes): `<`, `>`, `&`, `"` and CR as references,
/// characters XML 1.0 forbids (C0 controls other than tab, LF and CR;
/// U+FFFE; U+FFFF) and bytes that are not UTF-8 as U+FFFD, one per maximal
/// invalid sequence as `String::from_utf8_lossy` counts them. Returns how
/// many replacements were made.
#[inline]
pub(crate) fn escape(out: &mut Vec<u8>, s: &[u8]) -> u64 {
    escape_to(out, s, false).1
}

/// Like [`escape`], but stops before the first subfield delimiter (0x1F)
/// when `stop` is set. Returns the bytes consumed and the replacements.
#[inline]
pub(crate) fn escape_to(out: &mut Vec<u8>, s: &[u8], stop: bool) -> (usize, u64) {
    let mut replaced = 0;
    let mut start = 0;
    let mut i = 0;
    loop {
        i = next_marked(s, i, mask);
        let Some(&b) = s.get(i) else { break };
        match CLASS[usize::from(b)] {
            0 => i += 1,
            1 => {
                out.extend_from_slice(&s[start..i]);
                out.extend_from_slice(reference(b));
                i += 1;
                start = i;
            }
            2 => {
                out.extend_from_slice(&s[start..i]);
                if stop && b == SUBFIELD_DELIMITER {
                    return (i, replaced);
                }
                out.extend_from_slice(REPLACEMENT);
                replaced += 1;
                i += 1;
                start = i;
            }
            _ => match sequence(&s[i..]) {
                // U+FFFE and U+FFFF are EF BF BE and EF BF BF.
                Ok(3)
                    if b == 0xEF && s.get(i + 1) == Some(&0xBF) && s.get(i + 2) >= Some(&0xBE) =>
                {
                    out.extend_from_slice(&s[start..i]);
                    out.extend_from_slice(REPLACEMENT);
                    replaced += 1;
                    i += 3;
                    start = i;
                }
                Ok(n) => i += n,
                Err(n) => {
                    out.extend_from_slice(&s[start..i]);
                    out.extend_from_slice(REPLACEMENT);
                    replaced += 1;
                    i += n;
                    start = i;
                }
            },
        }
    }
    out.extend_from_slice(&s[start..]);
    (s.len(), replaced)
}

/// Appends U+FFFD for a sequence that is not UTF-8; returns 1.
#[inline]
pub(crate) fn escape_invalid(out: &mut Vec<u8>) -> u64 {
    out.extend_from_slice(REPLACEMENT);
    1
}

/// Appends one byte (an indicator or subfield code) as attribute data;
/// tab and LF as references (attribute values read them as blanks), and a
/// byte above 0x7F, which is not a character on its own, as U+FFFD.
#[inline(always)]
pub(crate) fn escape_byte(out: &mut Vec<u8>, b: u8) -> u64 {
    match CLASS[usize::from(b)] {
        0 if b == b'\t' => out.extend_from_slice(b"&#9;"),
        0 if b == b'\n' => out.extend_from_slice(b"&#10;"),
        0 => out.push(b),
        1 => out.extend_from_slice(reference(b)),
        _ => {
            out.extend_from_slice(REPLACEMENT);
            return 1;
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(v: &[u8]) -> (String, u64) {
        let mut out = Vec::new();
        let n = escape(&mut out, v);
        (String::from_utf8(out).unwrap(), n)
    }

    #[test]
    fn escapes_and_replaces() {
        assert_eq!(esc(b"plain"), ("plain".into(), 0));
        assert_eq!(
            esc(b"a longer plain value"),
            ("a longer plain value".into(), 0)
        );
        assert_eq!(
            esc(b"a<b>&\"c'\r\n\t"),
            ("a&lt;b&gt;&amp;&quot;c'&#13;\n\t".into(), 0)
        );
        assert_eq!(esc(b"x\x07y\x1bz"), ("x\u{FFFD}y\u{FFFD}z".into(), 2));
        assert_eq!(esc(b"bad\xff\xfe!"), ("bad\u{FFFD}\u{FFFD}!".into(), 2));
        assert_eq!(esc("Café ☃ \u{FFFF}\u{FFFE}\u{FFFD}".as_bytes()).1, 2);
        assert_eq!(
            esc("\u{FEFF}\u{EFFF}".as_bytes()),
            ("\u{FEFF}\u{EFFF}".into(), 0)
        );
        let mut out = Vec::new();
        assert_eq!(escape_to(&mut out, b"a&b\x1fc", true), (3, 0));
        assert_eq!(escape_to(&mut out, b"\x1fc", true), (0, 0));
        assert_eq!(escape_to(&mut out, b"x\x1fc", false), (3, 1));
        assert_eq!(out, "a&amp;bx\u{FFFD}c".as_bytes());
        let mut out = Vec::new();
        for b in [b'"', 0xC3, 0x01, b'\t', b'a'] {
            escape_byte(&mut out, b);
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "&quot;\u{FFFD}\u{FFFD}&#9;a"
        );
    }

    #[test]
    fn the_word_mask_flags_every_marked_byte() {
        for b in 0..=255u8 {
            let flagged = mask(u64::from(b)) & 0x80 != 0;
            if CLASS[usize::from(b)] != 0 {
                assert!(flagged, "{b:#04x}");
            }
            if b.is_ascii() && !b.is_ascii_control() && CLASS[usize::from(b)] == 0 {
                assert!(!flagged, "{b:#04x} flagged needlessly");
            }
        }
    }

    #[test]
    fn output_is_always_well_formed_text() {
        // Every byte value, alone and inside text, gives valid UTF-8 without
        // forbidden characters or bare markup.
        for b in 0..=255u8 {
            for v in [vec![b], vec![b'x', b, b'y', 0xC3, 0xA9, b, b, 0xE2]] {
                let mut out = Vec::new();
                escape(&mut out, &v);
                let s = String::from_utf8(out).unwrap();
                assert!(
                    !s.contains(['<', '>', '"', '\r', '\u{FFFE}', '\u{FFFF}']),
                    "{v:?}"
                );
                assert!(
                    s.chars().all(|c| c >= ' ' || c == '\t' || c == '\n'),
                    "{v:?}"
                );
                for (i, _) in s.match_indices('&') {
                    let refs = ["&lt;", "&gt;", "&amp;", "&quot;", "&#13;"];
                    assert!(refs.iter().any(|r| s[i..].starts_with(r)), "{v:?}");
                }
            }
        }
    }
}
