//! The one CSV writer every download uses. Registers are published and opened by the
//! public in spreadsheets, so a cell that would start a formula (`=`, `+`, `-`, `@`, a tab
//! or a carriage return) is neutralised with a leading apostrophe.

/// A table to write as CSV: a header and rows.
#[derive(Debug, Clone, Default)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// A cell safe to open in a spreadsheet.
pub fn cell(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

impl Table {
    pub fn new<S: AsRef<str>>(header: &[S]) -> Table {
        Table {
            header: header.iter().map(|s| s.as_ref().to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// The table as CSV text, every cell guarded.
    pub fn to_text(&self) -> Result<String, ::csv::Error> {
        write(&self.header, &self.rows)
    }
}

/// Writes `header` (if not empty) and `rows` as CSV, every cell guarded.
pub fn write<R, S>(header: &[S], rows: &[R]) -> Result<String, ::csv::Error>
where
    R: AsRef<[String]>,
    S: AsRef<str>,
{
    let mut w = ::csv::Writer::from_writer(Vec::new());
    if !header.is_empty() {
        w.write_record(header.iter().map(|h| cell(h.as_ref()).into_owned()))?;
    }
    for r in rows {
        w.write_record(r.as_ref().iter().map(|c| cell(c).into_owned()))?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_text_kept() {
        // RFC 4180 quotes a field holding a quote, a comma or a line break (CR included).
        let mut t = Table::new(&["name", "note"]);
        t.row(["=HYPERLINK(\"x\")", "plain"]);
        t.row(["+1", "-2"]);
        t.row(["@SUM(A1)", "\tcmd"]);
        t.row(["\rx", "a,b"]);
        assert_eq!(
            t.to_text().unwrap(),
            "name,note\n\"'=HYPERLINK(\"\"x\"\")\",plain\n'+1,'-2\n'@SUM(A1),'\tcmd\n\"'\rx\",\"a,b\"\n"
        );
    }
}
