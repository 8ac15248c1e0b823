//! Generates `src/marc8/tables.rs` from the Library of Congress MARC-8 code
//! tables (`codetables.xml`).
//!
//! ```text
//! cargo run --example gen_marc8_tables [-- [CODETABLES_XML] [OUTPUT_RS]]
//! ```
//!
//! `CODETABLES_XML` defaults to `$MARC_CORPUS/_aux/codetables.xml` when
//! `MARC_CORPUS` is set, else to `../shared/corpus/_aux/codetables.xml`
//! relative to the crate root. `OUTPUT_RS` defaults to `src/marc8/tables.rs`
//! in the crate root.
//!
//! What is generated (see the header of the generated file for the layout):
//!
//! * one dense 94-entry array per single-byte character set, indexed by the
//!   7-bit code minus 0x21 (sets that the XML lists in the G1 range, such as
//!   ANSEL, are stored by their 7-bit code too), each entry holding the Unicode
//!   scalar plus a combining flag;
//! * the four ANSEL C1 control codes (0x88, 0x89, 0x8D, 0x8E);
//! * the EACC (CJK) set as two parallel arrays sorted by 24-bit code;
//! * one reverse table (Unicode -> MARC-8) sorted by scalar then by set
//!   preference.
//!
//! Alternative mappings (`<alt>`): decoding always uses the preferred `<ucs>`
//! value. An `<alt>` is added to the reverse table only where no set maps that
//! scalar as a preferred value and only one code gives it as an alternative:
//! this keeps the legacy ANSEL half marks U+FE20..U+FE23 encodable, and leaves
//! out the 61 EACC private-use characters whose alternative is the GETA MARK
//! U+3013 (which has an EACC code of its own).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use quick_xml::Reader;
use quick_xml::events::Event;

/// One `<code>` element.
#[derive(Debug, Default, Clone)]
struct Code {
    marc: String,
    ucs: String,
    alt: String,
    name: String,
    combining: bool,
}

/// One `<characterSet>` element.
#[derive(Debug, Default)]
struct CharSet {
    name: String,
    iso: u8,
    codes: Vec<Code>,
}

/// The sets MARC-8 defines: ISO final byte, Rust constant name, whether the
/// codes in the XML are in the G1 range, reverse-table preference rank.
const SETS: &[(u8, &str, bool, u8)] = &[
    (0x42, "BASIC_LATIN", false, 0),
    (0x45, "ANSEL", true, 1),
    (0x53, "BASIC_GREEK", false, 2),
    (0x4E, "BASIC_CYRILLIC", false, 3),
    (0x51, "EXTENDED_CYRILLIC", true, 4),
    (0x32, "BASIC_HEBREW", false, 5),
    (0x33, "BASIC_ARABIC", false, 6),
    (0x34, "EXTENDED_ARABIC", true, 7),
    (0x62, "SUBSCRIPTS", false, 8),
    (0x70, "SUPERSCRIPTS", false, 9),
    (0x67, "GREEK_SYMBOLS", false, 10),
    (0x31, "EACC", false, 11),
];

fn main() {
    if let Err(e) = run() {
        eprintln!("gen_marc8_tables: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut args = std::env::args_os().skip(1);
    let input = match args.next() {
        Some(p) => PathBuf::from(p),
        None => match std::env::var_os("MARC_CORPUS") {
            Some(c) => Path::new(&c).join("_aux/codetables.xml"),
            None => root.join("../shared/corpus/_aux/codetables.xml"),
        },
    };
    let output = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("src/marc8/tables.rs"));

    let xml = std::fs::read_to_string(&input)
        .map_err(|e| format!("cannot read {}: {e}", input.display()))?;
    let sets = parse(&xml)?;
    let text = generate(&sets)?;
    std::fs::write(&output, text).map_err(|e| format!("cannot write {}: {e}", output.display()))?;
    // Leave the file as `cargo fmt` would, so that formatting never shows up as a change.
    let rustfmt = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
    match std::process::Command::new(rustfmt)
        .args(["--edition", "2024"])
        .arg(&output)
        .status()
    {
        Ok(s) if s.success() => {}
        Ok(s) => eprintln!("gen_marc8_tables: warning: rustfmt exited with {s}"),
        Err(e) => eprintln!("gen_marc8_tables: warning: rustfmt not run: {e}"),
    }
    eprintln!(
        "gen_marc8_tables: {} character sets, {} codes -> {}",
        sets.len(),
        sets.iter().map(|s| s.codes.len()).sum::<usize>(),
        output.display()
    );
    Ok(())
}

fn parse(xml: &str) -> Result<Vec<CharSet>, String> {
    let mut reader = Reader::from_str(xml);
    let mut sets: Vec<CharSet> = Vec::new();
    let mut current: Option<CharSet> = None;
    let mut code: Option<Code> = None;
    let mut field: Option<String> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("XML error at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Start(e) => {
                let tag = e.name().as_ref().to_owned();
                match tag.as_str() {
                    "characterSet" => {
                        let mut set = CharSet::default();
                        for attr in e.attributes() {
                            let attr = attr.map_err(|e| format!("bad attribute: {e}"))?;
                            match attr.key.as_ref() {
                                "name" => set.name = attr.value.to_string(),
                                "ISOcode" => {
                                    set.iso = u8::from_str_radix(attr.value.trim(), 16)
                                        .map_err(|_| format!("bad ISOcode {:?}", attr.value))?;
                                }
                                _ => {}
                            }
                        }
                        current = Some(set);
                    }
                    "code" => code = Some(Code::default()),
                    "marc" | "ucs" | "alt" | "name" | "isCombining" if code.is_some() => {
                        field = Some(tag);
                    }
                    _ => {}
                }
            }
            Event::Text(t) => {
                if let (Some(f), Some(c)) = (&field, code.as_mut()) {
                    let s: &str = &t;
                    match f.as_str() {
                        "marc" => c.marc.push_str(s.trim()),
                        "ucs" => c.ucs.push_str(s.trim()),
                        "alt" => c.alt.push_str(s.trim()),
                        "name" => c.name.push_str(s),
                        "isCombining" => c.combining = s.trim() == "true",
                        _ => {}
                    }
                }
            }
            Event::End(e) => match e.name().as_ref() {
                "characterSet" => {
                    sets.push(current.take().ok_or("</characterSet> without start")?);
                }
                "code" => {
                    let c = code.take().ok_or("</code> without start")?;
                    current
                        .as_mut()
                        .ok_or("<code> outside a characterSet")?
                        .codes
                        .push(c);
                }
                _ => field = None,
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(sets)
}

fn hex(s: &str, what: &str) -> Result<u32, String> {
    u32::from_str_radix(s, 16).map_err(|_| format!("bad {what} value {s:?}"))
}

/// Comment text: the MARC name, cleaned so it cannot end the comment.
fn comment(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("*/", "* /")
}

struct Reverse {
    ucs: u32,
    code: u32,
    set: u8,
    rank: u8,
    flags: u8,
}

fn generate(sets: &[CharSet]) -> Result<String, String> {
    let by_iso: HashMap<u8, &CharSet> = sets.iter().map(|s| (s.iso, s)).collect();
    for &(iso, name, _, _) in SETS {
        if !by_iso.contains_key(&iso) {
            return Err(format!(
                "character set {name} (ISO final 0x{iso:02X}) missing"
            ));
        }
    }
    if sets.len() != SETS.len() {
        return Err(format!(
            "expected {} character sets, found {}",
            SETS.len(),
            sets.len()
        ));
    }

    let mut out = String::new();
    out.push_str(HEADER);

    let mut reverse: Vec<Reverse> = Vec::new();
    // Alternatives, collected first: ucs -> [(set, code, rank, combining)].
    let mut alts: BTreeMap<u32, Vec<(u8, u32, u8, bool)>> = BTreeMap::new();

    for &(iso, name, g1, rank) in SETS {
        let set = by_iso[&iso];
        if iso == 0x31 {
            continue;
        }
        let mut dense = [const { None::<(u32, String)> }; 94];
        let mut c1: Vec<(u32, u32, String)> = Vec::new();
        for c in &set.codes {
            let marc = hex(&c.marc, "marc")?;
            let flags = u8::from(c.combining);
            if !c.alt.is_empty() {
                alts.entry(hex(&c.alt, "alt")?)
                    .or_default()
                    .push((iso, marc, rank, c.combining));
            }
            if c.ucs.is_empty() {
                // The second half of a double-width diacritic: no output of its own.
                if !c.combining {
                    return Err(format!("{}: code {} has no ucs", set.name, c.marc));
                }
                let idx = index(marc, g1, &set.name)?;
                dense[idx] = Some((0x4000_0000 | 0x8000_0000, comment(&c.name)));
                continue;
            }
            let ucs = hex(&c.ucs, "ucs")?;
            if char::from_u32(ucs).is_none() {
                return Err(format!("{}: U+{ucs:04X} is not a scalar value", set.name));
            }
            if marc < 0x21 {
                // ESC, the three MARC delimiters and SPACE: handled by the codec itself.
                continue;
            }
            if (0x80..0xA0).contains(&marc) {
                c1.push((marc, ucs, comment(&c.name)));
            } else {
                let idx = index(marc, g1, &set.name)?;
                let v = ucs | if c.combining { 0x8000_0000 } else { 0 };
                if dense[idx].is_some() {
                    return Err(format!("{}: duplicate code {}", set.name, c.marc));
                }
                dense[idx] = Some((v, comment(&c.name)));
            }
            reverse.push(Reverse {
                ucs,
                code: marc,
                set: iso,
                rank,
                flags,
            });
        }
        let mapped = dense.iter().filter(|e| e.is_some()).count();
        writeln!(
            out,
            "/// {} (ISO final byte 0x{iso:02X}): {mapped} codes, indexed by 7-bit code - 0x21.",
            set.name
        )
        .unwrap();
        writeln!(out, "pub(crate) static {name}: [u32; 94] = [").unwrap();
        for (i, e) in dense.iter().enumerate() {
            let code = i as u32 + 0x21 + if g1 { 0x80 } else { 0 };
            match e {
                Some((v, n)) => {
                    writeln!(out, "    0x{v:08X}, // 0x{code:02X} {n}").unwrap();
                }
                None => writeln!(out, "    0, // 0x{code:02X} (unassigned)").unwrap(),
            }
        }
        out.push_str("];\n\n");
        if !c1.is_empty() {
            writeln!(
                out,
                "/// C1 control codes defined by {}: (byte, Unicode scalar).",
                set.name
            )
            .unwrap();
            writeln!(
                out,
                "pub(crate) static {name}_C1: [(u8, u32); {}] = [",
                c1.len()
            )
            .unwrap();
            for (m, u, n) in &c1 {
                writeln!(out, "    (0x{m:02X}, 0x{u:04X}), // {n}").unwrap();
            }
            out.push_str("];\n\n");
        }
    }

    // EACC.
    let eacc = by_iso[&0x31];
    let mut rows: Vec<(u32, u32)> = Vec::with_capacity(eacc.codes.len());
    for c in &eacc.codes {
        let marc = hex(&c.marc, "marc")?;
        let ucs = hex(&c.ucs, "ucs")?;
        if c.combining {
            return Err(format!("EACC code {} unexpectedly combining", c.marc));
        }
        if char::from_u32(ucs).is_none() {
            return Err(format!("EACC: U+{ucs:04X} is not a scalar value"));
        }
        if !c.alt.is_empty() {
            alts.entry(hex(&c.alt, "alt")?)
                .or_default()
                .push((0x31, marc, 11, false));
        }
        rows.push((marc, ucs));
    }
    rows.sort_unstable();
    if rows.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err("EACC: duplicate code".into());
    }
    writeln!(
        out,
        "/// {} (ISO final byte 0x31): 24-bit codes, sorted; `EACC_UCS[i]` is the scalar of `EACC_CODES[i]`.",
        eacc.name
    )
    .unwrap();
    writeln!(
        out,
        "pub(crate) static EACC_CODES: [u32; {}] = [",
        rows.len()
    )
    .unwrap();
    write_columns(&mut out, rows.iter().map(|r| format!("0x{:06X}", r.0)));
    out.push_str("];\n\n");
    out.push_str("/// Unicode scalars of the EACC codes, parallel to [`EACC_CODES`].\n");
    writeln!(out, "pub(crate) static EACC_UCS: [u32; {}] = [", rows.len()).unwrap();
    write_columns(&mut out, rows.iter().map(|r| format!("0x{:05X}", r.1)));
    out.push_str("];\n\n");
    if rows.len() > usize::from(u16::MAX) {
        return Err("EACC: too many codes for u16 indices".into());
    }
    let mut by_ucs: Vec<usize> = (0..rows.len()).collect();
    by_ucs.sort_by_key(|&i| (rows[i].1, rows[i].0));
    out.push_str(
        "/// Indices into [`EACC_CODES`] / [`EACC_UCS`] sorted by scalar, then by code: the\n\
         /// reverse (Unicode -> EACC) table. Where several codes give one scalar the lowest\n\
         /// code comes first.\n",
    );
    writeln!(
        out,
        "pub(crate) static EACC_BY_UCS: [u16; {}] = [",
        rows.len()
    )
    .unwrap();
    write_columns(&mut out, by_ucs.iter().map(|i| i.to_string()));
    out.push_str("];\n\n");

    // Alternatives that the encoder should accept.
    let mut primary: std::collections::HashSet<u32> = reverse.iter().map(|r| r.ucs).collect();
    primary.extend(rows.iter().map(|r| r.1));
    let mut alt_count = 0;
    for (ucs, list) in &alts {
        if list.len() == 1 && !primary.contains(ucs) {
            let (set, code, rank, combining) = list[0];
            reverse.push(Reverse {
                ucs: *ucs,
                code,
                set,
                rank,
                flags: u8::from(combining) | 2,
            });
            alt_count += 1;
        }
    }

    reverse.sort_by_key(|r| (r.ucs, r.flags & 2, r.rank, r.code));
    writeln!(
        out,
        "/// Unicode -> MARC-8 for the single-byte sets: (scalar, code, set final byte, flags),\n\
         /// sorted by scalar, then preferred set first. Codes are as the code tables give them\n\
         /// (G1 range for ANSEL and the extended sets). Flags: [`REV_COMBINING`], [`REV_ALT`]\n\
         /// ({alt_count} entries come from `<alt>` mappings). EACC: see [`EACC_BY_UCS`]."
    )
    .unwrap();
    writeln!(
        out,
        "pub(crate) static REVERSE: [(u32, u32, u8, u8); {}] = [",
        reverse.len()
    )
    .unwrap();
    write_columns(
        &mut out,
        reverse.iter().map(|r| {
            format!(
                "(0x{:04X}, 0x{:02X}, 0x{:02X}, {})",
                r.ucs, r.code, r.set, r.flags
            )
        }),
    );
    out.push_str("];\n");
    Ok(out)
}

fn index(marc: u32, g1: bool, set: &str) -> Result<usize, String> {
    let lo = if g1 { 0xA1 } else { 0x21 };
    if marc < lo || marc > lo + 93 {
        return Err(format!(
            "{set}: code 0x{marc:02X} outside its 94-character range"
        ));
    }
    Ok((marc - lo) as usize)
}

fn write_columns(out: &mut String, items: impl Iterator<Item = String>) {
    let mut line = String::new();
    for item in items {
        if !line.is_empty() && line.len() + item.len() + 2 > 96 {
            out.push_str(line.trim_end());
            out.push('\n');
            line.clear();
        }
        if line.is_empty() {
            line.push_str("    ");
        }
        line.push_str(&item);
        line.push_str(", ");
    }
    if !line.is_empty() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

const HEADER: &str = "\
// @generated by `cargo run --example gen_marc8_tables` from the Library of Congress
// MARC-8 code tables (codetables.xml). Do not edit by hand; to regenerate:
//
//     cargo run --example gen_marc8_tables [-- path/to/codetables.xml [src/marc8/tables.rs]]

//! MARC-8 code tables (generated).
//!
//! Single-byte sets are dense arrays of 94 `u32` indexed by the 7-bit code minus
//! 0x21. An entry is 0 when the code is unassigned, otherwise the Unicode scalar
//! in the low 21 bits, plus [`COMBINING`] for a combining mark (which precedes
//! its base character in MARC-8) and [`NO_OUTPUT`] for the second half of a
//! double-width diacritic (ANSEL 0xEC and 0xFB), whose preferred Unicode form is
//! the single mark given by the first half.

#![allow(clippy::unreadable_literal)]

/// Flag in a single-byte table entry: the character is a combining mark.
pub(crate) const COMBINING: u32 = 0x8000_0000;
/// Flag in a single-byte table entry: the code produces no character.
pub(crate) const NO_OUTPUT: u32 = 0x4000_0000;
/// Flag in [`REVERSE`]: the MARC-8 character is a combining mark.
pub(crate) const REV_COMBINING: u8 = 1;
/// Flag in [`REVERSE`]: the mapping comes from an `<alt>` element.
#[allow(dead_code)] // informational: alternatives sort after preferred mappings
pub(crate) const REV_ALT: u8 = 2;

";
