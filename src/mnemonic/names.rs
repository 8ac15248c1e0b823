//! The named character mnemonics of the mnemonic format (`{acute}`,
//! `{dollar}`, …): each name stands for one MARC-8 byte (in a MARC-8
//! record) or one Unicode character (in a UTF-8 record).
//!
//! The names are those of the MARC-8 extended Latin set (ANSEL) as
//! MARCMaker/MarcEdit spell them, plus the ASCII characters the format
//! itself uses (`$`, `{`, `}`, `\`) and the escape and joiner controls.

/// One mnemonic: name, MARC-8 byte, Unicode character.
pub(crate) struct Mnemonic {
    pub(crate) name: &'static str,
    pub(crate) marc8: u8,
    pub(crate) unicode: char,
}

const fn m(name: &'static str, marc8: u8, unicode: char) -> Mnemonic {
    Mnemonic {
        name,
        marc8,
        unicode,
    }
}

/// Every named mnemonic. Where two names share a byte, the first is the one
/// the writer uses.
pub(crate) const MNEMONICS: &[Mnemonic] = &[
    // The format's own characters and controls.
    m("dollar", 0x24, '$'),
    m("lcub", 0x7B, '{'),
    m("rcub", 0x7D, '}'),
    m("bsol", 0x5C, '\\'),
    m("esc", 0x1B, '\u{1B}'),
    m("joiner", 0x8D, '\u{200D}'),
    m("nonjoin", 0x8E, '\u{200C}'),
    // Extended Latin letters and symbols.
    m("Lstrok", 0xA1, 'Ł'),
    m("Ostrok", 0xA2, 'Ø'),
    m("Dstrok", 0xA3, 'Đ'),
    m("THORN", 0xA4, 'Þ'),
    m("AElig", 0xA5, 'Æ'),
    m("OElig", 0xA6, 'Œ'),
    m("softsign", 0xA7, '\u{2B9}'),
    m("middot", 0xA8, '·'),
    m("flat", 0xA9, '♭'),
    m("reg", 0xAA, '®'),
    m("plusmn", 0xAB, '±'),
    m("Ohorn", 0xAC, 'Ơ'),
    m("Uhorn", 0xAD, 'Ư'),
    m("mlrhring", 0xAE, '\u{2BC}'),
    m("alif", 0xAE, '\u{2BC}'),
    m("mllhring", 0xB0, '\u{2BB}'),
    m("ayn", 0xB0, '\u{2BB}'),
    m("lstrok", 0xB1, 'ł'),
    m("ostrok", 0xB2, 'ø'),
    m("dstrok", 0xB3, 'đ'),
    m("thorn", 0xB4, 'þ'),
    m("aelig", 0xB5, 'æ'),
    m("oelig", 0xB6, 'œ'),
    m("hardsign", 0xB7, '\u{2BA}'),
    m("inodot", 0xB8, 'ı'),
    m("pound", 0xB9, '£'),
    m("eth", 0xBA, 'ð'),
    m("ohorn", 0xBC, 'ơ'),
    m("uhorn", 0xBD, 'ư'),
    m("deg", 0xC0, '°'),
    m("scriptl", 0xC1, 'ℓ'),
    m("phono", 0xC2, '℗'),
    m("copy", 0xC3, '©'),
    m("sharp", 0xC4, '♯'),
    m("iquest", 0xC5, '¿'),
    m("iexcl", 0xC6, '¡'),
    m("szlig", 0xC7, 'ß'),
    m("euro", 0xC8, '€'),
    // Combining diacritics (MARC-8 writes them before the base letter).
    m("hooka", 0xE0, '\u{309}'),
    m("grave", 0xE1, '\u{300}'),
    m("acute", 0xE2, '\u{301}'),
    m("circ", 0xE3, '\u{302}'),
    m("tilde", 0xE4, '\u{303}'),
    m("macr", 0xE5, '\u{304}'),
    m("breve", 0xE6, '\u{306}'),
    m("dot", 0xE7, '\u{307}'),
    m("uml", 0xE8, '\u{308}'),
    m("caron", 0xE9, '\u{30C}'),
    m("ring", 0xEA, '\u{30A}'),
    m("llig", 0xEB, '\u{FE20}'),
    m("rlig", 0xEC, '\u{FE21}'),
    m("rcommaa", 0xED, '\u{315}'),
    m("dblac", 0xEE, '\u{30B}'),
    m("candra", 0xEF, '\u{310}'),
    m("cedil", 0xF0, '\u{327}'),
    m("ogon", 0xF1, '\u{328}'),
    m("dotb", 0xF2, '\u{323}'),
    m("dbldotb", 0xF3, '\u{324}'),
    m("ringb", 0xF4, '\u{325}'),
    m("dblunder", 0xF5, '\u{333}'),
    m("under", 0xF6, '\u{332}'),
    m("commab", 0xF7, '\u{326}'),
    m("rcedil", 0xF8, '\u{31C}'),
    m("breveb", 0xF9, '\u{32E}'),
    m("ldbltil", 0xFA, '\u{FE22}'),
    m("rdbltil", 0xFB, '\u{FE23}'),
    m("commaa", 0xFE, '\u{313}'),
];

/// The longest name, for bounding look-ups.
pub(crate) const MAX_NAME: usize = 8;

/// The mnemonic called `name`.
pub(crate) fn by_name(name: &[u8]) -> Option<&'static Mnemonic> {
    MNEMONICS.iter().find(|m| m.name.as_bytes() == name)
}

/// The writer's name for MARC-8 byte `b` (bytes 0x80 and up, and ESC).
pub(crate) fn name_of_marc8(b: u8) -> Option<&'static str> {
    if b < 0x80 && b != 0x1B {
        return None;
    }
    MNEMONICS.iter().find(|m| m.marc8 == b).map(|m| m.name)
}

/// A two-digit hexadecimal mnemonic (`{1B}`, `{e2}`): the byte.
pub(crate) fn hex_byte(name: &[u8]) -> Option<u8> {
    match *name {
        [h, l] => {
            let v = |c: u8| char::from(c).to_digit(16);
            Some((v(h)? * 16 + v(l)?) as u8)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        for m in MNEMONICS {
            assert!(m.name.len() <= MAX_NAME, "{}", m.name);
            assert!(hex_byte(m.name.as_bytes()).is_none(), "{}", m.name);
            assert_eq!(by_name(m.name.as_bytes()).map(|x| x.marc8), Some(m.marc8));
        }
        assert_eq!(name_of_marc8(0xE2), Some("acute"));
        assert_eq!(name_of_marc8(0xAE), Some("mlrhring"));
        assert_eq!(name_of_marc8(0x1B), Some("esc"));
        assert_eq!(name_of_marc8(b'$'), None);
        assert_eq!(name_of_marc8(0xBF), None);
        assert_eq!(hex_byte(b"1B"), Some(0x1B));
        assert_eq!(hex_byte(b"e2"), Some(0xE2));
        assert_eq!(hex_byte(b"g0"), None);
    }
}
