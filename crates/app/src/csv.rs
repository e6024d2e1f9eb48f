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
    let mut w = Writer::new(Vec::new());
    if !header.is_empty() {
        w.row(header)?;
    }
    for r in rows {
        w.row(r.as_ref())?;
    }
    let bytes = w.0.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The same writer for a stream: each row guarded and written as it comes, so a batch of
/// thousands of answers is never held whole.
pub struct Writer<W: std::io::Write>(::csv::Writer<W>);

impl<W: std::io::Write> Writer<W> {
    pub fn new(out: W) -> Writer<W> {
        Writer(::csv::Writer::from_writer(out))
    }

    /// One row, every cell guarded.
    pub fn row<I, S>(&mut self, cells: I) -> Result<(), ::csv::Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.0
            .write_record(cells.into_iter().map(|c| cell(c.as_ref()).into_owned()))
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_writer_guards_as_the_table_does() {
        let mut w = Writer::new(Vec::new());
        w.row(["name", "note"]).unwrap();
        w.row(["=1+1", "@x"]).unwrap();
        w.flush().unwrap();
        let text = String::from_utf8(w.0.into_inner().unwrap()).unwrap();
        assert_eq!(text, "name,note\n'=1+1,'@x\n");
    }

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
