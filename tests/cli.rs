//! End-to-end tests of the `marcview` binary on files the tests write
//! themselves, and on a few real corpus files.
#![cfg(feature = "cli")]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use marcview::{Field, ReadOptions, Reader, Record, Tag, WriteOptions, Writer};

/// A directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "marcview-cli-{}-{}-{name}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write temp file");
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a run of the binary gave.
struct Run {
    code: i32,
    stdout: String,
    stdout_bytes: Vec<u8>,
    stderr: String,
}

/// Runs `marcview args…`, feeding `stdin` when given.
fn marcview(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_marcview"));
    cmd.args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn marcview");
    let feeder = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            // The binary may stop reading early; that is not our failure.
            let _ = pipe.write_all(&bytes);
        })
    });
    let out = child.wait_with_output().expect("wait for marcview");
    if let Some(f) = feeder {
        f.join().expect("stdin feeder");
    }
    Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stdout_bytes: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

/// A small bibliographic record.
fn record(id: &str, title: &str) -> Record {
    let mut r = Record::new();
    r.push_field(Field::control(Tag::new(1), id).unwrap())
        .unwrap();
    r.push_field(
        Field::new(Tag::new(245), *b"10")
            .with_subfield(b'a', title)
            .unwrap(),
    )
    .unwrap();
    r.push_field(
        Field::new(Tag::new(650), *b" 0")
            .with_subfield(b'a', "Cats")
            .unwrap()
            .with_subfield(b'x', "History")
            .unwrap(),
    )
    .unwrap();
    r
}

/// `n` records as ISO 2709.
fn mrc(n: usize) -> Vec<u8> {
    let mut w = Writer::new(Vec::new());
    for i in 0..n {
        w.write(&record(&format!("id{i}"), &format!("Title {i}")))
            .unwrap();
    }
    w.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

#[test]
fn count_one_file_prints_the_number_alone() {
    let dir = TempDir::new("count1");
    let f = dir.write("a.mrc", &mrc(3));
    let r = marcview(&["count", s(&f)], None);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (0, "3\n", "")
    );
}

#[test]
fn count_several_files_ends_with_the_total() {
    let dir = TempDir::new("count2");
    let a = dir.write("a.mrc", &mrc(3));
    let b = dir.write("b.mrc", &mrc(2));
    let r = marcview(&["count", s(&a), s(&b)], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        format!("3\t{}\n2\t{}\n5\n", a.display(), b.display())
    );
    assert_eq!(r.stdout.lines().last(), Some("5"));
}

#[test]
fn count_reads_stdin() {
    let r = marcview(&["count", "-"], Some(&mrc(4)));
    assert_eq!((r.code, r.stdout.as_str()), (0, "4\n"), "{}", r.stderr);
}

#[test]
fn count_reads_gzip_files_and_stdin() {
    let dir = TempDir::new("gzip");
    // Two gzip members back to back, as `cat a.gz b.gz` makes.
    let gz = [gzip(&mrc(3)), gzip(&mrc(2))].concat();
    let f = dir.write("a.mrc.gz", &gz);
    let r = marcview(&["count", s(&f)], None);
    assert_eq!((r.code, r.stdout.as_str()), (0, "5\n"), "{}", r.stderr);
    let r = marcview(&["count", "-"], Some(&gz));
    assert_eq!((r.code, r.stdout.as_str()), (0, "5\n"), "{}", r.stderr);
}

#[test]
fn count_writes_to_the_output_file() {
    let dir = TempDir::new("count-o");
    let f = dir.write("a.mrc", &mrc(2));
    let out = dir.path("count.txt");
    let r = marcview(&["count", s(&f), "-o", s(&out)], None);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "2\n");
}

#[test]
fn count_reports_problems_and_exits_1() {
    let dir = TempDir::new("count-bad");
    let good = mrc(2);
    let first_len = good.len() / 2;
    // A stray newline between the two records.
    let bytes = [&good[..first_len], b"\n", &good[first_len..]].concat();
    let f = dir.write("a.mrc", &bytes);
    let r = marcview(&["count", s(&f)], None);
    assert_eq!((r.code, r.stdout.as_str()), (1, "2\n"));
    assert!(
        r.stderr.contains(&format!(
            "{}: warning: record 2 at byte {first_len} (001 \"id0\"): 1 stray bytes between records",
            f.display()
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("marcview: 1 warning, 0 unreadable records"),
        "{}",
        r.stderr
    );
}

#[test]
fn print_writes_exact_mnemonic_text() {
    let dir = TempDir::new("print");
    let mut r = Record::new();
    r.push_field(Field::control(Tag::new(1), "id1").unwrap())
        .unwrap();
    r.push_field(
        Field::new(Tag::new(650), *b" 0")
            .with_subfield(b'a', "Price $5")
            .unwrap(),
    )
    .unwrap();
    let bytes = [r.to_iso2709().unwrap(), r.to_iso2709().unwrap()].concat();
    let f = dir.write("a.mrc", &bytes);
    let run = marcview(&["print", s(&f)], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let one = "=LDR  00067nam\\a2200049\\i\\4500\n=001  id1\n=650  \\0$aPrice {dollar}5\n\n";
    assert_eq!(run.stdout, format!("{one}{one}"));
}

#[test]
fn stats_json_has_the_counts() {
    let dir = TempDir::new("stats");
    let a = dir.write("a.mrc", &mrc(3));
    let b = dir.write("b.mrc", &mrc(1));
    let r = marcview(&["stats", "--json", s(&a), s(&b)], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("valid JSON");
    assert_eq!(v["records"], 4);
    assert_eq!(v["unreadable_records"], 0);
    assert_eq!(v["warnings"], 0);
    assert_eq!(v["fields"], 12);
    assert_eq!(v["control_fields"], 4);
    assert_eq!(v["subfields"], 12);
    assert_eq!(v["bytes"], (mrc(3).len() + mrc(1).len()) as u64);
    assert_eq!(v["kinds"]["bibliographic"], 4);
    assert_eq!(v["kinds"]["authority"], 0);
    assert_eq!(v["encodings"][0]["leader09"], "a");
    assert_eq!(v["encodings"][0]["records"], 4);
    let tags: Vec<(String, u64, u64)> = v["tags"]
        .as_array()
        .expect("tags array")
        .iter()
        .map(|t| {
            (
                t["tag"].as_str().unwrap().to_owned(),
                t["occurrences"].as_u64().unwrap(),
                t["records"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        tags,
        [
            ("001".to_owned(), 4, 4),
            ("245".to_owned(), 4, 4),
            ("650".to_owned(), 4, 4)
        ]
    );
    assert_eq!(v["files"][1], s(&b));
}

#[test]
fn stats_table_by_default() {
    let dir = TempDir::new("stats-table");
    let a = dir.write("a.mrc", &mrc(2));
    let r = marcview(&["stats", s(&a)], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("records"), "{}", r.stdout);
    assert!(r.stdout.contains("bibliographic"), "{}", r.stdout);
    assert!(r.stdout.contains("\n650 "), "{}", r.stdout);
}

/// Two good records with a stray byte between them, then a record whose
/// directory is not terminated, then one whose length is not digits.
fn broken_file() -> (Vec<u8>, usize) {
    let good = mrc(2);
    let first_len = good.len() / 2;
    let mut third = record("id2", "Broken").to_iso2709().unwrap();
    let base: usize = std::str::from_utf8(&third[12..17])
        .unwrap()
        .parse()
        .unwrap();
    third[base - 1] = b'X';
    let mut fourth = record("id3", "Worse").to_iso2709().unwrap();
    fourth[..5].copy_from_slice(b"abcde");
    let bytes = [
        &good[..first_len],
        b"\n",
        &good[first_len..],
        &third[..],
        &fourth[..],
    ]
    .concat();
    (bytes, first_len)
}

#[test]
fn validate_lists_every_problem_with_location() {
    let dir = TempDir::new("validate");
    let (bytes, first_len) = broken_file();
    let f = dir.write("broken.mrc", &bytes);
    let r = marcview(&["validate", s(&f)], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let name = f.display().to_string();
    assert!(
        r.stdout.contains(&format!(
            "{name}: warning: record 2 at byte {first_len} (001 \"id0\"): 1 stray bytes between records\n"
        )),
        "{}",
        r.stdout
    );
    // Every line but the summary names the file, a record and a byte offset.
    let lines: Vec<&str> = r.stdout.lines().collect();
    let (summary, problems) = lines.split_last().expect("some output");
    assert!(problems.len() >= 3, "{}", r.stdout);
    for line in problems {
        assert!(line.starts_with(&format!("{name}: ")), "{line}");
        assert!(line.contains(" at byte "), "{line}");
        assert!(line.contains(": record "), "{line}");
    }
    assert!(
        problems.iter().any(|l| l.contains(": record 3 at byte ")),
        "{}",
        r.stdout
    );
    // The same problems the library reports, in the same order.
    let mut reader = Reader::with_options(
        &bytes,
        ReadOptions {
            max_warnings: usize::MAX,
            ..ReadOptions::default()
        },
    );
    let mut expected = Vec::new();
    let mut read = 0;
    let mut bad = 0;
    while let Some(item) = reader.next() {
        match item {
            Ok(_) => {
                read += 1;
                for w in reader.take_warnings() {
                    expected.push(format!("{name}: warning: {w}"));
                }
            }
            Err(e) => {
                bad += 1;
                for w in reader.take_warnings() {
                    expected.push(format!("{name}: warning: {w}"));
                }
                expected.push(format!("{name}: error: {e} (record skipped)"));
            }
        }
    }
    for w in reader.take_warnings() {
        expected.push(format!("{name}: warning: {w}"));
    }
    assert_eq!(problems, expected.as_slice());
    assert_eq!(
        *summary,
        format!(
            "{name}: {read} records read, {bad} unreadable, {} warnings",
            reader.warning_log().total()
        )
    );
}

#[test]
fn validate_clean_file_exits_0() {
    let dir = TempDir::new("validate-ok");
    let a = dir.write("a.mrc", &mrc(2));
    let b = dir.write("b.mrc", &mrc(1));
    let r = marcview(&["validate", s(&a), s(&b)], None);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout,
        format!(
            "{}: 2 records read, no problems\n{}: 1 record read, no problems\ntotal: 3 records read, no problems\n",
            a.display(),
            b.display()
        )
    );
}

#[test]
fn strict_mode_skips_faulty_records() {
    let dir = TempDir::new("strict");
    let (bytes, _) = broken_file();
    let f = dir.write("broken.mrc", &bytes);
    let lenient = marcview(&["count", s(&f)], None);
    let strict = marcview(&["--strict", "count", s(&f)], None);
    let expected_strict = Reader::new(&bytes).strict().filter(Result::is_ok).count();
    let expected_lenient = Reader::new(&bytes).filter(Result::is_ok).count();
    assert_eq!(strict.stdout, format!("{expected_strict}\n"));
    assert_eq!(lenient.stdout, format!("{expected_lenient}\n"));
    assert!(expected_strict < expected_lenient);
    assert_eq!((strict.code, lenient.code), (1, 1));
    assert!(strict.stderr.contains(": error: record 3 at byte "));
}

#[test]
fn convert_to_mrc_round_trips_byte_for_byte() {
    let dir = TempDir::new("convert");
    let bytes = mrc(5);
    let f = dir.write("a.mrc", &bytes);
    let out = dir.path("b.mrc");
    let r = marcview(&["convert", "--to", "mrc", s(&f), "-o", s(&out)], None);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(std::fs::read(&out).unwrap(), bytes);
    // From gzip on stdin to stdout.
    let r = marcview(&["convert", "--to", "mrc", "-"], Some(&gzip(&bytes)));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout_bytes, bytes);
}

#[test]
fn convert_repairs_broken_records() {
    let dir = TempDir::new("convert-repair");
    let (bytes, _) = broken_file();
    let f = dir.write("broken.mrc", &bytes);
    let out = dir.path("fixed.mrc");
    let r = marcview(&["convert", "--to", "mrc", s(&f), "-o", s(&out)], None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let fixed = std::fs::read(&out).unwrap();
    let readable = Reader::new(&bytes).filter(Result::is_ok).count();
    let mut reader = Reader::new(&fixed).strict();
    assert_eq!(reader.by_ref().filter(Result::is_ok).count(), readable);
    assert!(reader.warnings().is_empty());
    assert_eq!(marcview(&["validate", s(&out)], None).code, 0);
}

#[test]
fn usage_and_io_errors_exit_2() {
    let dir = TempDir::new("errors");
    let missing = dir.path("missing.mrc");
    let r = marcview(&["count", s(&missing)], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing.mrc"), "{}", r.stderr);
    assert!(r.stderr.contains("cannot open"), "{}", r.stderr);

    // The other inputs are still counted.
    let a = dir.write("a.mrc", &mrc(2));
    let r = marcview(&["count", s(&a), s(&missing)], None);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout.lines().last(), Some("2"));

    assert_eq!(marcview(&["count", "--no-such-flag", s(&a)], None).code, 2);
    assert_eq!(marcview(&["count"], None).code, 2);
    assert_eq!(marcview(&["frobnicate", s(&a)], None).code, 2);
    assert_eq!(marcview(&["convert", "--to", "xyz", s(&a)], None).code, 2);
    assert_eq!(marcview(&["count", s(&dir.0)], None).code, 2);

    // Never write over an input.
    let r = marcview(&["convert", "--to", "mrc", s(&a), "-o", s(&a)], None);
    assert_eq!(r.code, 2);
    assert_eq!(std::fs::read(&a).unwrap(), mrc(2));
}

#[test]
fn corrupt_gzip_is_a_read_error() {
    let dir = TempDir::new("badgz");
    let mut gz = gzip(&mrc(50));
    gz.truncate(gz.len() / 2);
    let f = dir.write("cut.mrc.gz", &gz);
    let r = marcview(&["count", s(&f)], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("read error"), "{}", r.stderr);
}

#[test]
fn empty_input_has_no_records() {
    let dir = TempDir::new("empty");
    let f = dir.write("empty.mrc", b"");
    let r = marcview(&["count", s(&f)], None);
    assert_eq!((r.code, r.stdout.as_str()), (0, "0\n"));
    let r = marcview(&["count", "-"], Some(b""));
    assert_eq!((r.code, r.stdout.as_str()), (0, "0\n"));
}

/// What the library makes of a file: records read, unreadable records,
/// warnings.
fn library_counts(bytes: &[u8]) -> (usize, usize, u64) {
    let mut reader = Reader::new(bytes);
    let (mut ok, mut bad) = (0, 0);
    for item in reader.by_ref() {
        match item {
            Ok(_) => ok += 1,
            Err(_) => bad += 1,
        }
    }
    (ok, bad, reader.warning_log().total())
}

#[test]
fn corpus_counts_agree_with_the_library() {
    let Some(dir) = common::corpus_dir() else {
        return;
    };
    let files = common::iso2709_files(&dir);
    assert!(!files.is_empty());
    for (row, bytes) in &files {
        let path = dir.join(&row.path);
        let (ok, bad, warnings) = library_counts(bytes);
        let r = marcview(&["count", s(&path)], None);
        assert_eq!(r.stdout, format!("{ok}\n"), "{}: {}", row.path, r.stderr);
        let problems = bad > 0 || warnings > 0;
        assert_eq!(r.code, i32::from(problems), "{}: {}", row.path, r.stderr);

        let v = marcview(&["validate", s(&path)], None);
        assert_eq!(v.code, i32::from(problems), "{}", row.path);
        let listed = v
            .stdout
            .lines()
            .filter(|l| l.contains(": warning: ") || l.contains(": error: "))
            .count();
        assert_eq!(listed as u64, bad as u64 + warnings, "{}", row.path);
    }
}

#[test]
fn corpus_pride_and_prejudice_with_many_errors() {
    let Some(dir) = common::corpus_dir() else {
        return;
    };
    let path = dir.join("marc4j/pride-and-prejudice-with-many-errors.mrc");
    let bytes = std::fs::read(&path).unwrap();
    let (ok, bad, warnings) = library_counts(&bytes);
    let r = marcview(&["count", s(&path)], None);
    assert_eq!(r.stdout, format!("{ok}\n"));
    let r = marcview(&["stats", "--json", s(&path)], None);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("valid JSON");
    assert_eq!(v["records"], ok as u64);
    assert_eq!(v["unreadable_records"], bad as u64);
    assert_eq!(v["warnings"], warnings);
    // Streaming from stdin gives the same.
    let r = marcview(&["count", "-"], Some(&bytes));
    assert_eq!(r.stdout, format!("{ok}\n"));
}

#[test]
fn corpus_gzip_file_counts_like_its_plain_twin() {
    let Some(dir) = common::corpus_dir() else {
        return;
    };
    let plain = dir.join("dnb-marc21-rs/DUMP.mrc");
    let gz = dir.join("dnb-marc21-rs/DUMP.mrc.gz");
    if !gz.is_file() {
        return;
    }
    let a = marcview(&["count", s(&plain)], None);
    let b = marcview(&["count", s(&gz)], None);
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(a.code, b.code);
    let (ok, _, _) = library_counts(&std::fs::read(&plain).unwrap());
    assert_eq!(b.stdout, format!("{ok}\n"));
}

/// Records with non-ASCII text, for the format round trips.
fn unicode_mrc() -> Vec<u8> {
    let mut w = Writer::new(Vec::new());
    for (i, title) in [
        "Ærø – Δελφοί",
        "Привет, мир",
        "日本語の本 & <xml> \"quotes\" $5",
    ]
    .iter()
    .enumerate()
    {
        w.write(&record(&format!("u{i}"), title)).unwrap();
    }
    w.into_inner().unwrap()
}

#[test]
fn convert_every_format_pair_round_trips() {
    let dir = TempDir::new("formats");
    let bytes = unicode_mrc();
    let src = dir.write("source.mrc", &bytes);
    for to in ["xml", "json", "ndjson", "mrk", "print", "mrc"] {
        let mid = dir.path(&format!("a.{to}"));
        let r = marcview(&["convert", "--to", to, s(&src), "-o", s(&mid)], None);
        assert_eq!((r.code, r.stderr.as_str()), (0, ""), "to {to}");
        // Back to ISO 2709, the format recognized from the first bytes and
        // named explicitly.
        let from = match to {
            "print" | "mrk" => "mrk",
            "ndjson" => "json",
            other => other,
        };
        for args in [vec![], vec!["--from", from]] {
            let mut a = vec!["convert", "--to", "mrc", s(&mid)];
            a.extend(args.iter().copied());
            let r = marcview(&a, None);
            assert_eq!(r.code, 0, "{to} back to mrc: {}", r.stderr);
            assert_eq!(r.stdout_bytes, bytes, "{to} back to mrc");
        }
        // Every command reads every format.
        let r = marcview(&["count", s(&mid)], None);
        assert_eq!(r.stdout.trim(), "3", "count of {to}");
    }
}

#[test]
fn convert_decodes_marc8_for_unicode_formats() {
    let dir = TempDir::new("marc8");
    let mut r = record("m1", "x");
    r.leader_mut().set_coding_byte(b' ');
    r.edit_field(1, |f| f.set_subfield(b'a', b"Dvo\xE9r\xE2ak".as_slice()))
        .unwrap();
    let f = dir.write("m.mrc", &r.to_iso2709().unwrap());
    let out = marcview(&["convert", "--to", "json", s(&f)], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json[0]["leader"].as_str().unwrap().as_bytes()[9], b'a');
    assert_eq!(json[0]["fields"][1]["245"]["subfields"][0]["a"], "Dvořák");
    // mrk keeps the MARC-8 bytes unless asked for UTF-8.
    let kept = marcview(&["convert", "--to", "mrk", s(&f)], None);
    assert!(!kept.stdout.contains("Dvořák"), "{}", kept.stdout);
    let utf8 = marcview(&["convert", "--to", "mrk", "--utf8", s(&f)], None);
    assert!(utf8.stdout.contains("Dvořák"), "{}", utf8.stdout);
    // A broken escape is a located warning, and exit 1.
    let mut bad = record("m2", "x");
    bad.leader_mut().set_coding_byte(b' ');
    bad.edit_field(1, |f| f.set_subfield(b'a', b"ab\x1B".as_slice()))
        .unwrap();
    let f = dir.write("bad.mrc", &bad.to_iso2709().unwrap());
    let out = marcview(&["convert", "--to", "xml", s(&f)], None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("record 1 at byte") && out.stderr.contains("MARC-8"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("ab\u{FFFD}"), "{}", out.stdout);
}

#[test]
fn any_thread_count_gives_the_same_output() {
    let dir = TempDir::new("threads");
    // Enough records (over 1 MB) for several shards of the parallel scanner
    // (256 KiB at least each) and batches of the stream pipeline (1 MiB),
    // with problems of every kind in places, so that cuts land near them:
    // stray bytes, lost terminators, MARC-8 text with a broken escape
    // (a warning of `convert`), fields too long for ISO 2709 (a record
    // `convert --to mrc` skips), trailing bytes at the end.
    let oversize = WriteOptions {
        allow_oversize: true,
    };
    let mut bytes = Vec::new();
    for i in 0..12_000 {
        let mut rec = record(&format!("t{i}"), &format!("Title {i}"));
        if i % 97 == 3 {
            rec.leader_mut().set_coding_byte(b' ');
            rec.edit_field(1, |f| f.set_subfield(b'a', b"ab\x1B(".as_slice()))
                .unwrap();
        }
        if i % 2_003 == 7 {
            rec.edit_field(1, |f| f.set_subfield(b'a', "long ".repeat(2_100)))
                .unwrap();
        }
        rec.write_iso2709_into(&mut bytes, oversize).unwrap();
        if i % 371 == 0 {
            bytes.extend_from_slice(b"\r\n");
        }
        if i % 911 == 5 {
            let n = bytes.len();
            bytes[n - 3] = b'#'; // a field terminator lost
        }
    }
    bytes.extend_from_slice(b"\n\n");
    assert!(bytes.len() > 1_000_000);
    let f = dir.write("many.mrc", &bytes);
    let gz = {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&bytes).unwrap();
        enc.finish().unwrap()
    };
    let commands: Vec<Vec<&str>> = vec![
        vec!["count"],
        vec!["stats", "--json"],
        vec!["validate"],
        vec!["--strict", "count"],
        vec!["convert", "--to", "mrc"],
        vec!["convert", "--to", "xml"],
        vec!["convert", "--to", "json"],
        vec!["convert", "--to", "ndjson"],
        vec!["convert", "--to", "mrk", "--utf8"],
        vec!["convert", "--to", "print"],
        vec!["--strict", "convert", "--to", "xml"],
        vec!["--max-warnings", "3", "convert", "--to", "json"],
    ];
    for cmd in &commands {
        // The mapped file, and the same bytes compressed on standard input.
        for stdin in [None, Some(&gz[..])] {
            let run = |j: &str| {
                let mut a = cmd.clone();
                a.extend(["-j", j, if stdin.is_some() { "-" } else { s(&f) }]);
                marcview(&a, stdin)
            };
            let ctx = format!("{cmd:?}, stdin {}", stdin.is_some());
            let one = run("1");
            assert_eq!(one.code, 1, "{ctx}: the file has problems");
            for j in ["2", "3", "8"] {
                let other = run(j);
                assert_eq!(other.code, one.code, "{ctx} -j {j}");
                assert!(other.stdout_bytes == one.stdout_bytes, "{ctx} -j {j}");
                assert_eq!(other.stderr, one.stderr, "{ctx} -j {j}");
            }
        }
    }
    // The problems the convert runs met are all there.
    let r = marcview(&["convert", "--to", "xml", "-j", "2", s(&f)], None);
    assert!(r.stderr.contains("MARC-8"), "{}", r.stderr);
    let r = marcview(
        &["--strict", "convert", "--to", "xml", "-j", "2", s(&f)],
        None,
    );
    assert!(r.stderr.contains("MARC-8"), "{}", r.stderr);
    assert!(r.stderr.contains("unreadable"), "{}", r.stderr);
    let r = marcview(&["convert", "--to", "mrc", "-j", "2", s(&f)], None);
    assert!(r.stderr.contains("cannot convert"), "{}", r.stderr);
    assert!(r.stderr.contains("stray"), "{}", r.stderr);
    assert!(r.stderr.contains("trailing"), "{}", r.stderr);
    let skipped = (0..12_000).filter(|i| i % 2_003 == 7).count();
    assert!(
        r.stderr
            .contains(&format!("{skipped} records could not be converted")),
        "{}",
        r.stderr
    );
}
