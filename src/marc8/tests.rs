//! Unit tests of the MARC-8 codec.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

use super::*;

fn lenient() -> Marc8Options {
    Marc8Options::new()
}

fn nfc() -> Marc8Options {
    Marc8Options::new().normalize_nfc(true)
}

/// Decodes leniently, returning the text and the warnings.
fn dec(bytes: &[u8]) -> (String, Vec<Marc8Warning>) {
    let mut w = Vec::new();
    let s = decode(bytes, lenient(), &mut w).expect("lenient decoding never fails");
    (s.into_owned(), w)
}

/// Decodes, expecting no warning.
fn clean(bytes: &[u8]) -> String {
    let (s, w) = dec(bytes);
    assert!(w.is_empty(), "unexpected warnings for {bytes:02X?}: {w:?}");
    s
}

fn kinds(w: &[Marc8Warning]) -> Vec<Marc8WarningKind> {
    w.iter().map(|w| w.kind.clone()).collect()
}

#[test]
fn ascii_is_borrowed() {
    let mut w = Vec::new();
    for input in [
        &b""[..],
        b"Hello, world",
        b"a & b",
        b"&#x;",
        b"&#xZZ;",
        b"\x1Fa245\x1E",
    ] {
        let out = decode(input, lenient(), &mut w).unwrap();
        assert!(matches!(out, Cow::Borrowed(_)), "{input:?}");
        assert_eq!(out.as_bytes(), input);
        let out = decode(input, nfc().strict(true), &mut w).unwrap();
        assert!(matches!(out, Cow::Borrowed(_)), "{input:?}");
    }
    assert!(w.is_empty());
    // Anything to convert needs an owned string.
    assert!(matches!(
        decode(b"&#x41;", lenient(), &mut w).unwrap(),
        Cow::Owned(_)
    ));
    assert!(matches!(
        decode(b"\x1B(BA", lenient(), &mut w).unwrap(),
        Cow::Owned(_)
    ));
}

#[test]
fn decode_into_appends() {
    let mut out = String::from("x");
    decode_into(b"abc", lenient(), &mut out, &mut Vec::new()).unwrap();
    decode_into(b"\xA5", lenient(), &mut out, &mut Vec::new()).unwrap();
    assert_eq!(out, "xabc\u{c6}");
}

#[test]
fn ansel_spacing_characters() {
    assert_eq!(
        clean(b"\xA1\xA2\xA3\xA4\xA5\xA6\xA7\xA8\xA9\xAA\xAB\xAC\xAD\xAE\xB0"),
        "ŁØĐÞÆŒʹ·♭®±ƠƯʼʻ"
    );
    assert_eq!(
        clean(b"\xB1\xB2\xB3\xB4\xB5\xB6\xB7\xB8\xB9\xBA\xBC\xBD"),
        "łøđþæœʺı£ðơư"
    );
    assert_eq!(clean(b"\xC0\xC1\xC2\xC3\xC4\xC5\xC6\xC7\xC8"), "°ℓ℗©♯¿¡ß€");
}

#[test]
fn combining_marks_follow_their_base() {
    assert_eq!(clean(b"caf\xE2e"), "cafe\u{301}");
    // Several marks keep their order.
    assert_eq!(clean(b"Vi\xF2\xE3et"), "Vie\u{323}\u{302}t");
    assert_eq!(clean(b"\xE5\xE2a b"), "a\u{304}\u{301} b");
    // Over a space (a spacing diacritic).
    assert_eq!(clean(b"\xE8 x"), " \u{308}x");
    // Marks from G0 (Hebrew points) and G1 (ANSEL) alike.
    assert_eq!(clean(b"\x1B(2D`\x1B(B"), "\u{5d0}\u{5b4}");
}

#[test]
fn nfc_on_and_off() {
    let input = b"Dvo\xE9r\xE2ak, Anton\xE2in ; Vi\xF2\xE3et Nam";
    let mut w = Vec::new();
    let plain = decode(input, lenient(), &mut w).unwrap();
    assert_eq!(
        plain,
        "Dvor\u{30c}a\u{301}k, Antoni\u{301}n ; Vie\u{323}\u{302}t Nam"
    );
    let composed = decode(input, nfc(), &mut w).unwrap();
    assert_eq!(composed, "Dvořák, Antonín ; Việt Nam");
    assert_eq!(composed, plain.nfc().collect::<String>());
    assert!(w.is_empty());
    // NFC of output appended to existing text leaves that text alone.
    let mut out = String::from("e\u{301}|");
    decode_into(b"\xE2e", nfc(), &mut out, &mut w).unwrap();
    assert_eq!(out, "e\u{301}|\u{e9}");
}

#[test]
fn double_width_diacritics() {
    // Ligature halves around "ts", double tilde around "ng".
    assert_eq!(clean(b"\xEBt\xECs"), "t\u{361}s");
    assert_eq!(clean(b"\xFAn\xFBg"), "n\u{360}g");
    assert_eq!(clean(b"I\xEBu\xEClia"), "Iu\u{361}lia");
    // A stray second half produces nothing.
    assert_eq!(clean(b"a\xECb"), "ab");
}

#[test]
fn escape_sequences_g0() {
    // Hebrew, Basic Cyrillic, Basic Arabic, Basic Greek, back to ASCII.
    assert_eq!(clean(b"\x1B(2`a\x1B(B."), "\u{5d0}\u{5d1}.");
    assert_eq!(clean(b"\x1B(NmOSKWA\x1B(B"), "Москва");
    assert_eq!(clean(b"\x1B(3GdH\x1B(B"), "\u{627}\u{644}\u{628}");
    assert_eq!(clean(b"\x1B(SAa\x1B(B"), "\u{391}\u{3b1}");
    // The alternative intermediate bytes of the standard.
    assert_eq!(clean(b"\x1B,NmOSKWA\x1B,B!"), "Москва!");
    // ANSEL designated as G0: 7-bit codes.
    assert_eq!(clean(b"\x1B(!E5\x1B(B"), "\u{e6}");
    assert_eq!(clean(b"\x1B(E5\x1Bs"), "\u{e6}");
}

#[test]
fn basic_greek() {
    // Basic Greek: capital alpha, acute (combining, before its base), beta.
    assert_eq!(clean(b"\x1B(SA\"ab\x1B(B"), "Αα\u{301}β");
}

#[test]
fn escape_sequences_g1() {
    // Extended Cyrillic in G1 (0xC1 = dje), then ANSEL back with `! E`.
    assert_eq!(
        clean(b"\x1B(N\x1B)Q\xE1OR\xC1E\x1B(B\x1B)!E\xE2e"),
        "\u{402}ор\u{452}е\u{e9}".nfd().collect::<String>()
    );
    // `ESC ) E` (without `!`) is accepted too.
    assert_eq!(clean(b"\x1B)Q\xC1\x1B)E\xB1"), "\u{452}\u{142}");
    // Extended Arabic (0xA9 = peh) in G1 next to Basic Arabic in G0.
    assert_eq!(clean(b"\x1B(3\x1B)4\xA9G\x1B(B\x1B)!E"), "\u{67e}\u{627}");
    // Basic Hebrew designated as G1: high bytes read through it.
    assert_eq!(clean(b"\x1B)2\xE0\xE1"), "\u{5d0}\u{5d1}");
}

#[test]
fn technique_one_sets() {
    assert_eq!(clean(b"H\x1Bb2\x1BsO"), "H\u{2082}O");
    assert_eq!(clean(b"x\x1Bp2+\x1Bs"), "x\u{b2}\u{207a}");
    assert_eq!(clean(b"\x1Bgabc\x1Bs"), "\u{3b1}\u{3b2}\u{3b3}");
    // A code the small set does not have.
    let (s, w) = dec(b"\x1BbA\x1Bs");
    assert_eq!(s, "\u{FFFD}");
    assert_eq!(
        kinds(&w),
        [Marc8WarningKind::UnmappedCode {
            set: CharacterSet::Subscripts
        }]
    );
    assert_eq!(w[0].offset, 2);
}

#[test]
fn eacc() {
    assert_eq!(clean(b"\x1B$1!0d\x1B(B"), "\u{4eba}");
    assert_eq!(clean(b"\x1B$,1!0d!S+\x1B(B"), "\u{4eba}\u{8096}");
    // Ideographic space, hiragana, hangul, then ASCII.
    assert_eq!(clean(b"\x1B$1!#!\x1B(B."), "\u{3000}.");
    // A space or a control byte where a character starts stands for itself.
    assert_eq!(
        clean(b"\x1B$1!0d !0d\x1F!0d"),
        "\u{4eba} \u{4eba}\x1F\u{4eba}"
    );
    // EACC designated as G1: bytes with the high bit set.
    assert_eq!(clean(b"\x1B$)1\xA1\xB0\xE4a"), "\u{4eba}a");
    // Private-use mappings are kept (their <alt> is GETA MARK).
    assert_eq!(clean(b"\x1B$1ov$\x1B(B"), "\u{e8b0}");
    // The non-standard codes of Innovative Interfaces systems.
    assert_eq!(
        clean(b"a \x1B$1! =! @\x7f \x14\x7f \x19\x7f  \x7f!\"\x1B(B z"),
        "a \u{2026}\u{201c}\u{2014}\u{2019}\u{201d}\u{2122} z"
    );
    // Unassigned code.
    let (s, w) = dec(b"\x1B$1~~~\x1B(B");
    assert_eq!(s, "\u{FFFD}");
    assert_eq!(w[0].bytes, b"~~~");
    assert_eq!(w[0].offset, 3);
}

#[test]
fn truncated_eacc() {
    let (s, w) = dec(b"\x1B$1!0d!0");
    assert_eq!(s, "\u{4eba}\u{FFFD}");
    assert_eq!(kinds(&w), [Marc8WarningKind::TruncatedMultibyte]);
    assert_eq!((w[0].offset, &w[0].bytes[..]), (6, &b"!0"[..]));
    // A delimiter inside a character is kept, and not swallowed.
    let (s, w) = dec(b"\x1B$1!\x1E!0d");
    assert_eq!(s, "\u{FFFD}\x1E\u{4eba}");
    assert_eq!(w[0].bytes, b"!");
    // An escape inside a character.
    let (s, w) = dec(b"\x1B$1!0\x1B(Bx");
    assert_eq!(s, "\u{FFFD}x");
    assert_eq!(kinds(&w), [Marc8WarningKind::TruncatedMultibyte]);
}

#[test]
fn unknown_bytes_give_replacement_and_warning() {
    let (s, w) = dec(b"a\xAFb\x80c\xFFd\xA0e\x1B(2\x7FP");
    assert_eq!(s, "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e\x7F\u{FFFD}");
    assert_eq!(
        kinds(&w),
        [
            Marc8WarningKind::UnmappedCode {
                set: CharacterSet::Ansel
            },
            Marc8WarningKind::UndefinedByte,
            Marc8WarningKind::UndefinedByte,
            Marc8WarningKind::UndefinedByte,
            Marc8WarningKind::UnmappedCode {
                set: CharacterSet::BasicHebrew
            },
        ]
    );
    let offsets: Vec<usize> = w.iter().map(|w| w.offset).collect();
    assert_eq!(offsets, [1, 3, 5, 7, 13]);
    assert_eq!(w[0].bytes, [0xAF]);
    assert_eq!(
        w[0].to_string(),
        "MARC-8 at byte 1 (AF): code not assigned in Extended Latin (ANSEL)"
    );
    // A combining mark before an undecodable byte lands on U+FFFD.
    assert_eq!(dec(b"\xE2\xAF").0, "\u{FFFD}\u{301}");
}

#[test]
fn c1_controls() {
    assert_eq!(
        clean(b"\x88The \x89end\x8D\x8E"),
        "\u{98}The \u{9c}end\u{200d}\u{200c}"
    );
}

#[test]
fn bad_escapes() {
    /// Input, output, warning kind, offset, offending bytes.
    type Case = (
        &'static [u8],
        &'static str,
        Marc8WarningKind,
        usize,
        &'static [u8],
    );
    let cases: &[Case] = &[
        (
            b"ab\x1B",
            "ab\u{FFFD}",
            Marc8WarningKind::TruncatedEscape,
            2,
            b"\x1B",
        ),
        (
            b"ab\x1B(",
            "ab\u{FFFD}",
            Marc8WarningKind::TruncatedEscape,
            2,
            b"\x1B(",
        ),
        (
            b"ab\x1B$",
            "ab\u{FFFD}",
            Marc8WarningKind::TruncatedEscape,
            2,
            b"\x1B$",
        ),
        (
            b"\x1B$)",
            "\u{FFFD}",
            Marc8WarningKind::TruncatedEscape,
            0,
            b"\x1B$)",
        ),
        (
            b"\x1B(!",
            "\u{FFFD}",
            Marc8WarningKind::TruncatedEscape,
            0,
            b"\x1B(!",
        ),
        (
            b"\x1Bt!",
            "\u{FFFD}t!",
            Marc8WarningKind::InvalidEscape,
            0,
            b"\x1B",
        ),
        (
            b"\x1B \x1B(B",
            "\u{FFFD} ",
            Marc8WarningKind::InvalidEscape,
            0,
            b"\x1B",
        ),
        (
            b"\x1B(\x1Ex",
            "\u{FFFD}\x1Ex",
            Marc8WarningKind::InvalidEscape,
            0,
            b"\x1B(",
        ),
        (
            b"\x1B(\xE2x",
            "\u{FFFD}x\u{301}",
            Marc8WarningKind::InvalidEscape,
            0,
            b"\x1B(",
        ),
        (
            b"\x1B(Zab",
            "\u{FFFD}ab",
            Marc8WarningKind::UnknownCharacterSet { final_byte: b'Z' },
            0,
            b"\x1B(Z",
        ),
        (
            b"\x1B$)Aab",
            "\u{FFFD}ab",
            Marc8WarningKind::UnknownCharacterSet { final_byte: b'A' },
            0,
            b"\x1B$)A",
        ),
    ];
    for (input, text, kind, offset, bytes) in cases {
        let (s, w) = dec(input);
        assert_eq!(&s, text, "{input:02X?}");
        assert_eq!(w.len(), 1, "{input:02X?}: {w:?}");
        assert_eq!(&w[0].kind, kind, "{input:02X?}");
        assert_eq!(w[0].offset, *offset, "{input:02X?}");
        assert_eq!(&w[0].bytes[..], *bytes, "{input:02X?}");
    }
    // An unknown set leaves the working sets as they were.
    assert_eq!(dec(b"\x1B(2`\x1B(Z`").0, "\u{5d0}\u{FFFD}\u{5d0}");
}

#[test]
fn dangling_combining_marks() {
    let (s, w) = dec(b"abc\xE2");
    assert_eq!(s, "abc\u{301}");
    assert_eq!(kinds(&w), [Marc8WarningKind::DanglingCombining]);
    assert_eq!(w[0].offset, 3);
    assert_eq!(w[0].bytes, [0xE2]);
    assert_eq!(
        w[0].to_string(),
        "MARC-8 at byte 3 (E2): combining mark(s) without a base character"
    );
    let (s, w) = dec(b"a\xE2\xE3\x1Fb");
    assert_eq!(s, "a\u{301}\u{302}\x1Fb");
    assert_eq!(w[0].offset, 1);
    let err = decode(b"a\xE2", lenient().strict(true), &mut Vec::new()).unwrap_err();
    assert_eq!(err.kind(), &Marc8WarningKind::DanglingCombining);
}

#[test]
fn strict_mode() {
    let opts = lenient().strict(true);
    let mut w = Vec::new();
    let err = decode(b"ok \xE2e then \xFF", opts, &mut w).unwrap_err();
    assert_eq!(err.offset(), 11);
    assert_eq!(err.bytes(), [0xFF]);
    assert_eq!(err.kind(), &Marc8WarningKind::UndefinedByte);
    assert!(w.is_empty());
    // decode_into leaves the buffer as it was.
    let mut out = String::from("kept");
    assert!(decode_into(b"x\xE2y\x1B(Z", opts, &mut out, &mut w).is_err());
    assert_eq!(out, "kept");
    // Valid input is fine.
    assert_eq!(decode(b"\xE2e", opts, &mut w).unwrap(), "e\u{301}");
}

#[test]
fn numeric_character_references() {
    assert_eq!(clean(b"Snow &#x2603;!"), "Snow \u{2603}!");
    assert_eq!(clean(b"&#x1F600;&#X41;"), "\u{1F600}A");
    // Not references: left alone.
    assert_eq!(
        clean(b"&#xD800; &#x110000; &#x41 &#65; &amp;"),
        "&#xD800; &#x110000; &#x41 &#65; &amp;"
    );
    // Only read while G0 is Basic Latin.
    assert_eq!(clean(b"\x1B(N&#x41;\x1B(B"), "&#\u{42c}41;");
    // Switched off.
    let mut w = Vec::new();
    let raw = decode(b"\xA5&#x41;", lenient().decode_ncr(false), &mut w).unwrap();
    assert_eq!(raw, "\u{c6}&#x41;");
    // A reference is a base character for waiting marks.
    assert_eq!(clean(b"\xE2&#x3B1;"), "\u{3b1}\u{301}");
}

#[test]
fn never_panics_on_short_inputs() {
    let mut w = Vec::new();
    let mut out = String::new();
    for a in 0..=255u8 {
        for b in 0..=255u8 {
            for input in [
                &[a, b][..],
                &[0x1B, a, b],
                &[0x1B, b'$', a, b],
                &[0x1B, b'$', b'1', a, b],
            ] {
                out.clear();
                w.clear();
                decode_into(input, lenient(), &mut out, &mut w).unwrap();
                assert!(out.chars().count() <= input.len() + 1);
                let _ = decode(input, lenient().strict(true).normalize_nfc(true), &mut w);
            }
        }
    }
}

/// Every code of every single-byte set, read through G0 and through G1, gives
/// its table mapping; and every character round-trips through the encoder.
#[test]
fn every_single_byte_code() {
    let mut count = 0;
    for set in CharacterSet::ALL {
        let Some(table) = set.table() else { continue };
        for (i, &entry) in table.iter().enumerate() {
            let code = 0x21 + i as u8;
            let mut w = Vec::new();
            for (esc, byte) in [
                (vec![0x1B, b'(', set.final_byte()], code),
                (vec![0x1B, b')', set.final_byte()], code | 0x80),
            ] {
                let mut input = esc;
                if set == CharacterSet::Ansel {
                    input.insert(2, b'!');
                }
                input.push(byte);
                input.push(b' ');
                let s = decode(&input, lenient(), &mut w).unwrap();
                if entry == 0 {
                    assert_eq!(s, "\u{FFFD} ", "{set} {code:02X}");
                } else if entry & tables::NO_OUTPUT != 0 {
                    assert_eq!(s, " ");
                } else {
                    let ch = char::from_u32(entry & 0x1F_FFFF).unwrap();
                    let want = if entry & tables::COMBINING != 0 {
                        format!(" {ch}")
                    } else {
                        format!("{ch} ")
                    };
                    assert_eq!(s, want, "{set} {code:02X}");
                    let enc = encode(&want).unwrap();
                    let back = decode(&enc, lenient(), &mut w).unwrap();
                    assert_eq!(back, want, "{set} {code:02X} round trip");
                    count += 1;
                }
            }
        }
    }
    assert!(count > 2 * 600, "{count}");
}

#[test]
fn every_eacc_code() {
    let mut w = Vec::new();
    let mut out = String::new();
    for (&code, &ucs) in tables::EACC_CODES.iter().zip(&tables::EACC_UCS) {
        let input = [
            0x1B,
            b'$',
            b'1',
            (code >> 16) as u8,
            (code >> 8) as u8,
            code as u8,
        ];
        out.clear();
        decode_into(&input, lenient(), &mut out, &mut w).unwrap();
        let ch = char::from_u32(ucs).unwrap();
        assert_eq!(out, ch.to_string(), "{code:06X}");
        let enc = encode(&out).unwrap();
        out.clear();
        decode_into(&enc, lenient(), &mut out, &mut w).unwrap();
        assert_eq!(out, ch.to_string(), "{code:06X} round trip");
    }
    assert!(w.is_empty());
}

/// `decode(encode(s)) == s` for NFC text in every script.
#[test]
fn round_trip_every_script() {
    let samples = [
        "Plain ASCII, with punctuation: {[(<>)]} ~ | \\ ^ _ ` @ # $ % & * + = ?",
        "Dvořák, Antonín ; Łódź ; Ærøskøbing ; Straße ; Việt Nam ; São Paulo ; Ağrı ; Þórr",
        "Ơn, Ưu, ʻOumuamua, ʼAlī, © 1999, ℗ 2001, £5, €10, ±2°, ¿Qué? ¡Sí!, ♭ ♯ ℓ ı",
        "Tʹ and Tʺ; d\u{361}z, n\u{360}g; h\u{332} d\u{333}",
        "Ἀθῆναι ἐν τῷ Ἑλλάδι · «λόγος» “x”",
        "Война и мир ; Ђорђевић ; Київ ; Ґанок ; Ѣ ѳ ѵ ѫ ; [ъ] _",
        "בְּרֵאשִׁית בָּרָא אֱלֹהִים ״ ׳ ־",
        "القاهرة : دار الشروق، ١٩٩٩؟ ٪ ؛ «» “ ”",
        "پژوهش ; ڈاکٹر ; ٹ ; گ ; ک",
        "H₂O, x² + y³ = z⁽⁴⁾, C₆H₁₂O₆",
        "α β γ",
        "中文 ; 日本語 ; ひらがな カタカナ ; 한국어 ; 「东京」。",
        "Mixed: Tolstoĭ, Лев Николаевич = 托尔斯泰 (1828-1910)",
    ];
    for s in samples {
        let s: String = s.nfc().collect();
        let bytes = match encode(&s) {
            Ok(b) => b,
            Err(e) => panic!("{s}: {e}"),
        };
        let mut w = Vec::new();
        let back = decode(&bytes, nfc().strict(true), &mut w).unwrap();
        assert_eq!(back, s, "bytes {bytes:02X?}");
        // Ends in the default state.
        let more = [&bytes[..], b"\xE2e"].concat();
        let again = decode(&more, lenient(), &mut w).unwrap();
        assert!(again.ends_with("e\u{301}"), "{s}");
        // Decomposed input comes back canonically equivalent (MARC-8 has a
        // few precomposed letters, such as O with horn).
        let nfd: String = s.nfd().collect();
        let bytes = encode(&nfd).unwrap();
        let back = decode(&bytes, lenient(), &mut w).unwrap();
        assert_eq!(back.nfd().collect::<String>(), nfd);
    }
}

#[test]
fn encoder_bytes() {
    assert_eq!(encode("plain").unwrap(), b"plain");
    assert_eq!(encode("café").unwrap(), b"caf\xE2e");
    assert_eq!(encode("Việt").unwrap(), b"Vi\xF2\xE3et");
    // Stays in the current set for characters it shares with ASCII.
    assert_eq!(encode("\u{5d0}, \u{5d1}").unwrap(), b"\x1B(2`, a\x1B(B");
    // Arabic digits differ from ASCII ones.
    assert_eq!(encode("\u{627}1").unwrap(), b"\x1B(3G\x1B(B1");
    // Extended sets go to G1, and ANSEL comes back at the end.
    assert_eq!(
        encode("\u{402}\u{43e}").unwrap(),
        b"\x1B)Q\xE1\x1B(NO\x1B(B\x1B)!E"
    );
    // Technique 1 sets return with ESC s.
    assert_eq!(encode("H\u{2082}O").unwrap(), b"H\x1Bb2\x1BsO");
    // The two halves of a double-width diacritic.
    assert_eq!(encode("t\u{361}s").unwrap(), b"\xEBt\xECs");
    assert_eq!(encode("t\u{fe20}s\u{fe21}").unwrap(), b"\xEBt\xECs");
    assert_eq!(encode("n\u{360}g").unwrap(), b"\xFAn\xFBg");
    // Greek marks come from Basic Greek when it is G0.
    assert_eq!(encode("\u{3ac}").unwrap(), b"\x1B(S\"a\x1B(B");
    // Space inside EACC text returns to ASCII.
    assert_eq!(encode("人 人").unwrap(), b"\x1B$1!0d\x1B(B \x1B$1!0d\x1B(B");
    // Delimiters and controls pass.
    assert_eq!(encode("a\x1Fb\x1E").unwrap(), b"a\x1Fb\x1E");
}

#[test]
fn encoder_errors_and_lossy() {
    assert_eq!(
        encode("ok\u{1B}").unwrap_err(),
        Marc8EncodeError::Unmappable {
            ch: '\u{1B}',
            offset: 2
        }
    );
    assert_eq!(
        encode("日本 \u{1F600}").unwrap_err(),
        Marc8EncodeError::Unmappable {
            ch: '\u{1F600}',
            offset: 7
        }
    );
    // A character whose decomposition MARC-8 lacks in part.
    assert!(encode("\u{1E9B}").is_err());
    let s = "Emoji \u{1F600}, \u{2026} and \u{1E9E} in \u{5d0}\u{1F600}";
    let bytes = encode_lossy(s);
    assert_eq!(&bytes[..31], b"Emoji &#x1F600;, &#x2026; and &");
    assert_eq!(decode(&bytes, lenient(), &mut Vec::new()).unwrap(), s);
    // A literal reference survives the trip.
    let s = "Write &#x41; for A, & so on";
    let bytes = encode(s).unwrap();
    assert_eq!(bytes, b"Write &#x0026;#x41; for A, & so on");
    assert_eq!(decode(&bytes, lenient(), &mut Vec::new()).unwrap(), s);
}

#[test]
fn detection() {
    assert_eq!(detect(b""), Detected::Ascii);
    assert_eq!(detect(b"abc\x1Fdef\x1E"), Detected::Ascii);
    assert_eq!(detect(b"abc\x1Bz"), Detected::Ascii);
    assert_eq!(detect("Ærø".as_bytes()), Detected::Utf8);
    assert_eq!(detect("日本".as_bytes()), Detected::Utf8);
    assert_eq!(detect(b"\xA5r\xB2"), Detected::Marc8);
    assert_eq!(detect(b"caf\xE2e"), Detected::Marc8);
    assert_eq!(detect(b"\x1B$1!0d\x1B(B"), Detected::Marc8);
    assert_eq!(detect(b"\x1Bb2\x1Bs"), Detected::Marc8);
    assert_eq!(detect(b"\x1B)!E"), Detected::Marc8);
    assert_eq!(detect(b"caf\xE9"), Detected::Unknown);
    assert_eq!(detect(b"\x80\x81"), Detected::Unknown);
}

/// Whatever the decoder makes of arbitrary bytes (U+FFFD, dangling marks,
/// controls) comes back unchanged through `encode_lossy` and `decode`.
#[test]
fn lossy_round_trip_of_decoded_garbage() {
    let mut alphabet = b"\x1B\x1B()$,-!1234BENQSgbps&#x;0A9aZ \x1E\x1F\x7F".to_vec();
    alphabet.extend([
        0x80, 0x88, 0xA0, 0xA1, 0xAF, 0xB5, 0xC7, 0xE2, 0xE3, 0xEB, 0xEC, 0xFA, 0xFB, 0xFE, 0xFF,
    ]);
    let mut rng = 0x1234_5678_9ABC_DEF0_u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut w = Vec::new();
    for _ in 0..20_000 {
        let len = (next() % 40) as usize;
        let input: Vec<u8> = (0..len)
            .map(|_| match next() {
                r if r % 4 == 0 => (r >> 8) as u8,
                r => alphabet[(r >> 8) as usize % alphabet.len()],
            })
            .collect();
        let text = decode(&input, lenient(), &mut w).unwrap().into_owned();
        assert!(w.iter().all(|w| w.offset <= input.len()));
        w.clear();
        let bytes = encode_lossy(&text);
        let back = decode(&bytes, lenient(), &mut w).unwrap();
        assert_eq!(back, text, "{input:02X?} -> {bytes:02X?}");
        w.clear();
    }
}
