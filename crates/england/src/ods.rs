//! Reading the ODS and ONS CSV extracts: locating the files, splitting rows with per-row
//! errors, and parsing ODS dates. Nothing here knows about bodies; it only turns text into
//! rows and reports rows it cannot read.

use crate::quality::{kinds, QualityReport};
use jiff::civil::Date;
use std::path::{Path, PathBuf};

/// One input file's text and the name it is reported under.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

/// The files an import reads. The ODS ones have no header row; the ONS ones do.
#[derive(Debug, Clone)]
pub struct Sources {
    /// CCGs, sub-ICB locations, commissioning hubs and reporting entities (ODS `eccg`).
    pub eccg: SourceFile,
    /// Successor relationships (ODS `succ`).
    pub succ: SourceFile,
    /// GP practices and other prescribing settings (ODS `epraccur`).
    pub epraccur: SourceFile,
    /// The ICBs (ONS ICB names and codes).
    pub icb: SourceFile,
    /// Historic CCG names, newest first: April 2021, April 2020, April 2018.
    pub ccg_names: Vec<SourceFile>,
    /// CCG (April 2021) to local authority district lookup (ONS).
    pub ccg_lad: Option<SourceFile>,
}

/// What each input is, and the file names it may have. The first name is the one the
/// bundled data uses; the others are the names of a fresh ODS/ONS download.
pub(crate) struct Expected {
    pub role: &'static str,
    pub names: &'static [&'static str],
    /// Prefixes accepted when no exact name matches (a dated download such as `eccg_2025.csv`).
    pub prefixes: &'static [&'static str],
}

pub(crate) const ECCG: Expected = Expected {
    role: "ODS CCG, sub-ICB location and commissioning hub file",
    names: &["ods_eccg_2024.csv", "eccg.csv"],
    prefixes: &["ods_eccg", "eccg"],
};
pub(crate) const SUCC: Expected = Expected {
    role: "ODS successor file",
    names: &["ods_succ.csv", "succ.csv"],
    prefixes: &["ods_succ", "succ"],
};
pub(crate) const EPRACCUR: Expected = Expected {
    role: "ODS GP practice file",
    names: &["ods_epraccur_2019_12.csv", "epraccur.csv"],
    prefixes: &["ods_epraccur", "epraccur"],
};
pub(crate) const ICB: Expected = Expected {
    role: "ONS ICB names and codes",
    names: &["ons_icb_dec2024.csv"],
    prefixes: &["ons_icb", "icb", "integrated_care_boards"],
};
pub(crate) const CCG21: Expected = Expected {
    role: "ONS CCG names and codes, April 2021",
    names: &["ref_ccg21.csv"],
    prefixes: &["ref_ccg21", "ccg21", "ccg_names_codes_2021"],
};
pub(crate) const CCG20: Expected = Expected {
    role: "ONS CCG names and codes, April 2020",
    names: &["ref_ccg20.csv"],
    prefixes: &["ref_ccg20", "ccg20", "ccg_names_codes_2020"],
};
pub(crate) const CCG18: Expected = Expected {
    role: "ONS CCG names and codes, April 2018",
    names: &["ccg_names_codes_2018_04.csv"],
    prefixes: &["ccg_names_codes_2018", "ccg18", "ref_ccg18"],
};
pub(crate) const CCG_LAD: Expected = Expected {
    role: "ONS CCG to local authority district lookup",
    names: &["ons_ccg_lad_lookup.csv"],
    prefixes: &["ons_ccg_lad", "ccg21_lad21", "ccg_lad"],
};

fn find_file(dir: &Path, e: &Expected) -> Option<PathBuf> {
    for n in e.names {
        let p = dir.join(n);
        if p.is_file() {
            return Some(p);
        }
    }
    let mut candidates: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|d| d.ok().map(|d| d.path()))
        .filter(|p| {
            p.is_file()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .map(|n| {
                        let n = n.to_ascii_lowercase();
                        n.ends_with(".csv") && e.prefixes.iter().any(|pre| n.starts_with(pre))
                    })
                    .unwrap_or(false)
        })
        .collect();
    // Dated downloads sort by date in their names: the newest wins.
    candidates.sort();
    candidates.pop()
}

/// Errors that stop an import: a required file is missing or unreadable.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("no {role} in {dir}: expected one of {expected}. Download it from the ODS or ONS site (see data/README.md) into that directory")]
    MissingFile {
        role: &'static str,
        dir: String,
        expected: String,
    },
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file} lacks the column(s) {missing}; is it the right file? Its header is: {header}")]
    MissingColumns {
        file: String,
        missing: String,
        header: String,
    },
    #[error("the national instruments in {file} do not load: {message}")]
    National { file: String, message: String },
    #[error("{path} is {mib} MiB; an ODS or ONS extract is a few MiB and vires reads at most {limit} MiB")]
    TooLarge { path: String, mib: u64, limit: u64 },
}

/// The largest extract the importer reads. The biggest real one (every prescribing setting
/// in England, `epraccur`) is about 5 MiB.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

fn read_file(path: &Path) -> Result<SourceFile, ImportError> {
    let io = |source| ImportError::Io {
        path: path.display().to_string(),
        source,
    };
    let len = std::fs::metadata(path).map_err(io)?.len();
    if len > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge {
            path: path.display().to_string(),
            mib: len >> 20,
            limit: MAX_FILE_BYTES >> 20,
        });
    }
    let bytes = std::fs::read(path).map_err(|source| ImportError::Io {
        path: path.display().to_string(),
        source,
    })?;
    // ODS files have been published in Windows-1252 at times; a lossy read keeps every row
    // readable, and a replaced character only affects a name.
    let text = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    Ok(SourceFile { name, text })
}

impl Sources {
    /// Finds and reads the inputs in `dir`. Required files missing is an error; optional
    /// ones missing are noted in `report` and the register is built without them.
    pub fn from_dir(
        dir: &Path,
        report: &mut QualityReport,
        mut progress: impl FnMut(&str),
    ) -> Result<Sources, ImportError> {
        let required = |e: &Expected| -> Result<PathBuf, ImportError> {
            find_file(dir, e).ok_or_else(|| ImportError::MissingFile {
                role: e.role,
                dir: dir.display().to_string(),
                expected: e.names.join(" or "),
            })
        };
        let mut read = |p: &Path| -> Result<SourceFile, ImportError> {
            let f = read_file(p)?;
            progress(&f.name);
            Ok(f)
        };
        let eccg = read(&required(&ECCG)?)?;
        let succ = read(&required(&SUCC)?)?;
        let epraccur = read(&required(&EPRACCUR)?)?;
        let icb = read(&required(&ICB)?)?;
        let mut ccg_names = Vec::new();
        for e in [&CCG21, &CCG20, &CCG18] {
            match find_file(dir, e) {
                Some(p) => ccg_names.push(read(&p)?),
                None => report.warn(
                    kinds::MISSING_FILE,
                    e.names[0],
                    None,
                    None,
                    format!(
                        "no {} in the import directory: CCG names it would give fall back to tidied ODS names",
                        e.role
                    ),
                ),
            }
        }
        let ccg_lad = match find_file(dir, &CCG_LAD) {
            Some(p) => Some(read(&p)?),
            None => {
                report.warn(
                    kinds::MISSING_FILE,
                    CCG_LAD.names[0],
                    None,
                    None,
                    "no CCG to local authority district lookup: no local authority areas are built",
                );
                None
            }
        };
        Ok(Sources {
            eccg,
            succ,
            epraccur,
            icb,
            ccg_names,
            ccg_lad,
        })
    }
}

/// A CSV row with its 1-based line number in the file.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: u64,
    fields: csv::StringRecord,
}

impl Row {
    /// Field `i`, trimmed; empty when the row is shorter.
    pub fn get(&self, i: usize) -> &str {
        self.fields.get(i).map(str::trim).unwrap_or("")
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.iter().all(|f| f.trim().is_empty())
    }

    /// Whether the row has at least `columns` fields. A shorter row of `file` is reported
    /// rejected, with its code (field `code`) if it has one and `layout`, what the file's
    /// rows hold, in the reason.
    pub(crate) fn has_columns(
        &self,
        columns: usize,
        code: usize,
        file: &str,
        layout: &str,
        report: &mut QualityReport,
    ) -> bool {
        if self.len() >= columns {
            return true;
        }
        report.reject(
            kinds::SHORT_ROW,
            file,
            self.line,
            Some(self.get(code)).filter(|c| !c.is_empty()),
            format!("{} columns; {layout}", self.len()),
        );
        false
    }
}

/// Physical 1-based line numbers of records, from their byte offsets.
///
/// The csv crate's own `Position::line` is taken when a record starts and counts the `\n`
/// bytes read so far. A record ends at the first byte of its terminator, so in a CRLF file
/// the `\n` of each line is only read with the next record, after that record's position
/// was taken: every record but the first comes out one line low. Blank lines skipped before
/// a record are likewise not counted. So the line is computed here from the record's byte
/// offset instead: skip the terminator bytes the reader had not consumed yet (no record
/// starts with `\r` or `\n`), then count line breaks (`\n`, `\r\n` or a lone `\r`) before it.
struct Lines<'a> {
    bytes: &'a [u8],
    /// Offset up to which line breaks have been counted.
    at: usize,
    /// The line that `at` is on.
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Lines {
            bytes,
            at: 0,
            line: 1,
        }
    }

    /// The line on which the record whose position is `byte` starts. Offsets are expected
    /// in increasing order (as a reader yields them); an earlier one is recounted from the start.
    fn line_at(&mut self, byte: u64) -> u64 {
        let b = self.bytes;
        let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(b.len());
        while start < b.len() && matches!(b[start], b'\r' | b'\n') {
            start += 1;
        }
        if start < self.at {
            self.at = 0;
            self.line = 1;
        }
        let is_break = |i: usize| match b[i] {
            b'\n' => true,
            b'\r' => b.get(i + 1) != Some(&b'\n'),
            _ => false,
        };
        self.line += (self.at..start).filter(|&i| is_break(i)).count() as u64;
        self.at = start;
        self.line
    }
}

/// Splits a file into rows. Unreadable rows are reported and skipped; blank lines are skipped.
/// With `header`, the first row is returned separately.
pub fn rows(
    file: &SourceFile,
    header: bool,
    report: &mut QualityReport,
) -> (Option<Vec<String>>, Vec<Row>) {
    let text = file.text.strip_prefix('\u{feff}').unwrap_or(&file.text);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut lines = Lines::new(text.as_bytes());
    let mut out = Vec::new();
    let mut head = None;
    let mut first = true;
    let mut record = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record
                    .position()
                    .map(|p| lines.line_at(p.byte()))
                    .unwrap_or(0);
                if first && header {
                    head = Some(record.iter().map(|s| s.trim().to_string()).collect());
                    first = false;
                    continue;
                }
                first = false;
                let row = Row {
                    line,
                    fields: record.clone(),
                };
                if !row.is_empty() {
                    out.push(row);
                }
            }
            Err(e) => {
                let line = e.position().map(|p| lines.line_at(p.byte())).unwrap_or(0);
                report.file_read(&file.name, out.len());
                report.reject(
                    kinds::MALFORMED_ROW,
                    &file.name,
                    line,
                    None,
                    format!("unreadable CSV row: {e}"),
                );
                first = false;
            }
        }
    }
    let rejected_so_far = report
        .files
        .iter()
        .find(|f| f.file == file.name)
        .map(|f| f.rejected)
        .unwrap_or(0);
    report.file_read(&file.name, out.len() + rejected_so_far);
    (head, out)
}

/// [`columns`] of a file the import can do without: `None`, with a warning, when one is
/// missing.
pub(crate) fn columns_or_warn(
    file: &SourceFile,
    header: &[String],
    wanted: &[&str],
    report: &mut QualityReport,
) -> Option<Vec<usize>> {
    match columns(file, Some(header), wanted) {
        Ok(c) => Some(c),
        Err(e) => {
            report.warn(
                kinds::MISSING_COLUMN,
                &file.name,
                Some(1),
                None,
                e.to_string(),
            );
            None
        }
    }
}

/// Column positions in a file with a header, found by name.
pub(crate) fn columns(
    file: &SourceFile,
    header: Option<&[String]>,
    wanted: &[&str],
) -> Result<Vec<usize>, ImportError> {
    let header = header.unwrap_or(&[]);
    let mut idx = Vec::with_capacity(wanted.len());
    let mut missing = Vec::new();
    for w in wanted {
        match header.iter().position(|h| h.eq_ignore_ascii_case(w)) {
            Some(i) => idx.push(i),
            None => missing.push(*w),
        }
    }
    if missing.is_empty() {
        Ok(idx)
    } else {
        Err(ImportError::MissingColumns {
            file: file.name.clone(),
            missing: missing.join(", "),
            header: header.join(","),
        })
    }
}

/// Finds the first header column whose name starts with `prefix` and ends with `suffix`
/// (ONS headers carry the year: `CCG21CDH`, `ICB24CD`).
pub(crate) fn column_like(header: &[String], prefix: &str, suffix: &str) -> Option<String> {
    header
        .iter()
        .find(|h| {
            let h = h.to_ascii_uppercase();
            h.starts_with(prefix)
                && h.ends_with(suffix)
                && h.len() == prefix.len() + 2 + suffix.len()
                && h[prefix.len()..prefix.len() + 2]
                    .chars()
                    .all(|c| c.is_ascii_digit())
        })
        .cloned()
}

/// Parses an ODS date (`YYYYMMDD`); also accepts ISO `YYYY-MM-DD`. Empty is `None`.
pub fn parse_date(s: &str) -> Result<Option<Date>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let digits: String = s.chars().filter(|c| *c != '-').collect();
    if digits.len() != 8 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("`{s}` is not a date (expected YYYYMMDD)"));
    }
    let y: i16 = digits[0..4]
        .parse()
        .map_err(|_| format!("bad year in `{s}`"))?;
    let m: i8 = digits[4..6]
        .parse()
        .map_err(|_| format!("bad month in `{s}`"))?;
    let d: i8 = digits[6..8]
        .parse()
        .map_err(|_| format!("bad day in `{s}`"))?;
    Date::new(y, m, d)
        .map(Some)
        .map_err(|e| format!("`{s}` is not a valid date: {e}"))
}

/// The day after `d`: ODS close dates are the last day open, core intervals end exclusively.
/// The rows of a curated table with a header, and the index of each `wanted` column; `None`,
/// with a warning, when a column is missing.
pub(crate) fn curated_rows(
    f: &SourceFile,
    wanted: &[&str],
    report: &mut QualityReport,
) -> Option<(Vec<usize>, Vec<Row>)> {
    let (head, rows) = rows(f, true, report);
    match columns(f, head.as_deref(), wanted) {
        Ok(cols) => Some((cols, rows)),
        Err(e) => {
            report.warn(kinds::MISSING_COLUMN, &f.name, Some(1), None, e.to_string());
            None
        }
    }
}

/// A date a curated row must have: `None`, with the row reported, when it is missing or
/// malformed.
pub(crate) fn required_date(
    s: &str,
    file: &str,
    line: u64,
    subject: &str,
    report: &mut QualityReport,
) -> Option<Date> {
    match parse_date(s) {
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            report.reject(kinds::BAD_DATE, file, line, Some(subject), "no date");
            None
        }
        Err(e) => {
            report.reject(kinds::BAD_DATE, file, line, Some(subject), e);
            None
        }
    }
}

pub fn next_day(d: Date) -> Date {
    d.tomorrow().unwrap_or(d)
}

/// Turns an upper-case ODS name into the usual written form: "NHS GATESHEAD CCG" becomes
/// "NHS Gateshead CCG", "STOCKTON-ON-TEES" becomes "Stockton-on-Tees".
pub fn tidy_name(raw: &str) -> String {
    const UPPER: &[&str] = &["NHS", "CCG", "ICB", "BNSSG", "NEL", "UK"];
    const SMALL: &[&str] = &[
        "AND", "OF", "ON", "UPON", "THE", "IN", "WITH", "AT", "BY", "LE",
    ];
    let mut out = String::with_capacity(raw.len());
    for (wi, word) in raw.split_whitespace().enumerate() {
        if wi > 0 {
            out.push(' ');
        }
        for (pi, part) in word.split('-').enumerate() {
            if pi > 0 {
                out.push('-');
            }
            let bare: String = part.chars().filter(|c| c.is_ascii_alphabetic()).collect();
            let keep = UPPER.contains(&bare.as_str())
                || part.chars().any(|c| c.is_ascii_digit() || c == '&')
                || part.len() == 1 && part != "A";
            if keep {
                out.push_str(part);
            } else if (wi > 0 || pi > 0) && SMALL.contains(&part) {
                out.push_str(&part.to_ascii_lowercase());
            } else {
                let mut cap = true;
                for c in part.chars() {
                    if cap && c.is_alphabetic() {
                        out.extend(c.to_uppercase());
                        cap = false;
                    } else {
                        out.extend(c.to_lowercase());
                        if c == '(' {
                            cap = true;
                        }
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_tidied() {
        assert_eq!(tidy_name("NHS GATESHEAD CCG"), "NHS Gateshead CCG");
        assert_eq!(
            tidy_name("NHS NOTTINGHAM AND NOTTINGHAMSHIRE ICB - 02Q"),
            "NHS Nottingham and Nottinghamshire ICB - 02Q"
        );
        assert_eq!(tidy_name("STOCKTON-ON-TEES"), "Stockton-on-Tees");
        assert_eq!(
            tidy_name("LONDON - H&J COMMISSIONING HUB"),
            "London - H&J Commissioning Hub"
        );
    }

    fn lines_of(text: &str) -> Vec<(u64, String)> {
        let file = SourceFile {
            name: "t.csv".into(),
            text: text.into(),
        };
        let (_, rows) = rows(&file, false, &mut QualityReport::new());
        rows.iter()
            .map(|r| (r.line, r.get(0).to_string()))
            .collect()
    }

    #[test]
    fn rows_carry_their_physical_line_for_lf_crlf_and_cr_files() {
        let want = |v: &[(u64, &str)]| -> Vec<(u64, String)> {
            v.iter().map(|(l, s)| (*l, s.to_string())).collect()
        };
        let expected = want(&[(1, "a"), (2, "b"), (4, "c"), (5, "d")]);
        assert_eq!(lines_of("a,1\nb,2\n\nc,3\nd\n"), expected);
        assert_eq!(lines_of("a,1\r\nb,2\r\n\r\nc,3\r\nd\r\n"), expected);
        assert_eq!(lines_of("a,1\rb,2\r\rc,3\rd"), expected);
        assert_eq!(lines_of("\u{feff}a,1\r\nb,2\r\n\r\nc,3\r\nd"), expected);
        // A quoted field spanning lines: the next record starts on the line after it ends.
        assert_eq!(
            lines_of("a,\"x\r\ny\"\r\nb\r\n"),
            want(&[(1, "a"), (3, "b")])
        );
    }

    #[test]
    fn dates() {
        assert_eq!(
            parse_date("20150331"),
            Ok(Some(jiff::civil::date(2015, 3, 31)))
        );
        assert_eq!(parse_date(""), Ok(None));
        assert!(parse_date("20150231").is_err());
        assert!(parse_date("2015033").is_err());
        assert!(parse_date("soon").is_err());
    }
}
