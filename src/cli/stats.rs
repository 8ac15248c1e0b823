//! `marcview stats`: counts over all inputs, as a table or as JSON.

use std::io::Write;

use marcview::stats::{Stats, coding_name};
use serde_json::{Value, json};

use super::Status;
use super::args::{Common, StatsArgs};
use super::input::display_name;
use super::output::Output;
use super::problems::StderrReport;
use super::scan::{ScanOptions, fold_path};

/// Runs `stats`: one report over every input together.
pub fn run(common: &Common, args: &StatsArgs) -> Status {
    let mut status = Status::default();
    let files = &args.inputs.files;
    let mut out = match Output::open(common.output.as_deref(), files) {
        Ok(out) => out,
        Err(e) => {
            status.fail(&e);
            return status;
        }
    };
    let opts = ScanOptions::new(common.strict, false)
        .with_format(common.from)
        .with_parallel_streams();
    let mut report = StderrReport::new(common.max_warnings);
    let mut stats = Stats::new();
    for path in files {
        let scanned = fold_path(
            path,
            opts,
            common.thread_count(),
            Stats::new,
            |mut s, view| {
                s.add(view);
                s
            },
            |mut a, b| {
                a.merge(b);
                a
            },
            &mut report,
        );
        match scanned {
            Ok((part, summary)) => {
                stats.merge(part);
                stats.add_errors(summary.bad_records);
                stats.add_warnings(summary.warnings);
            }
            Err(e) => {
                status.fail(&e);
                if e.is_fatal() {
                    return status;
                }
            }
        }
    }
    let written = if args.json {
        let names: Vec<String> = files.iter().map(|p| display_name(p)).collect();
        serde_json::to_writer_pretty(&mut out, &to_json(&stats, &names))
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        write!(out, "{stats}")
    };
    if let Err(e) = written
        .map_err(|e| out.error(e))
        .and_then(|()| out.finish())
    {
        status.fail(&e);
    }
    report.finish();
    if report.any() {
        status.problems_found();
    }
    status
}

/// The report as JSON. Every kind is listed (zeros included); encodings
/// and tags only when seen.
pub fn to_json(stats: &Stats, files: &[String]) -> Value {
    let kinds: serde_json::Map<String, Value> = stats
        .kinds()
        .map(|(k, n)| (k.name().to_owned(), json!(n)))
        .collect();
    let encodings: Vec<Value> = stats
        .encodings()
        .map(|(byte, n)| {
            let leader09 = [byte].escape_ascii().to_string();
            json!({
                "leader09": leader09,
                "name": coding_name(byte),
                "records": n,
            })
        })
        .collect();
    let tags: Vec<Value> = stats
        .tags()
        .map(|(tag, c)| {
            json!({
                "tag": tag.to_string(),
                "occurrences": c.occurrences,
                "records": c.records,
            })
        })
        .collect();
    json!({
        "files": files,
        "records": stats.records(),
        "unreadable_records": stats.errors(),
        "warnings": stats.warnings(),
        "bytes": stats.bytes(),
        "largest_record": stats.largest_record(),
        "fields": stats.fields(),
        "control_fields": stats.control_fields(),
        "subfields": stats.subfields(),
        "kinds": kinds,
        "encodings": encodings,
        "tags": tags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use marcview::{Field, Record, RecordView, Tag};

    #[test]
    fn json_holds_every_count() {
        let mut rec = Record::new();
        rec.push_field(Field::control(Tag::new(1), "x").unwrap())
            .unwrap();
        rec.push_field(
            Field::new(Tag::new(245), *b"10")
                .with_subfield(b'a', "T")
                .unwrap(),
        )
        .unwrap();
        let bytes = rec.to_iso2709().unwrap();
        let mut stats = Stats::new();
        stats.add(&RecordView::parse(&bytes).unwrap());
        stats.add_warnings(2);
        let v = to_json(&stats, &["a \"b\".mrc".to_owned()]);
        assert_eq!(v["files"][0], "a \"b\".mrc");
        assert_eq!(v["records"], 1);
        assert_eq!(v["warnings"], 2);
        assert_eq!(v["fields"], 2);
        assert_eq!(v["subfields"], 1);
        assert_eq!(v["kinds"]["bibliographic"], 1);
        assert_eq!(v["kinds"]["authority"], 0);
        assert_eq!(v["encodings"][0]["leader09"], "a");
        assert_eq!(v["encodings"][0]["name"], "UTF-8");
        assert_eq!(v["tags"][1]["tag"], "245");
        assert_eq!(v["tags"][1]["records"], 1);
        assert_eq!(v["tags"].as_array().map(Vec::len), Some(2));
    }
}
