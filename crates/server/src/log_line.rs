//! The JSON log line: one object per event, written straight into the line buffer.
//!
//! tracing-subscriber's own JSON format keeps a span's fields as a JSON string, parses that
//! string back into a `serde_json::Value` for every event inside the span, and writes the
//! span twice (`span` and `spans`). With an access-log line per request that cost `GET /who`
//! about 39k instructions of its 130k. This format keeps a span's fields as the members of a
//! JSON object (without the braces), so an event copies them as they are.
//!
//! A line is `{"timestamp":…,"level":…,<event fields>,"target":…,"span":{<fields>,"name":…}}`;
//! `span` is the innermost span the event is in, and is left out when there is none.

use std::fmt::{self, Write as _};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

/// The event format of `log.format = "json"`.
#[derive(Debug, Default, Clone, Copy)]
pub struct JsonLine;

/// The field format that goes with [`JsonLine`]: `"key":value` members separated by commas.
#[derive(Debug, Default, Clone, Copy)]
pub struct JsonMembers;

impl<'writer> FormatFields<'writer> for JsonMembers {
    fn format_fields<R: RecordFields>(&self, writer: Writer<'writer>, fields: R) -> fmt::Result {
        let mut members = Members::new(writer);
        fields.record(&mut members);
        members.result
    }

    fn add_fields(
        &self,
        current: &'writer mut FormattedFields<Self>,
        fields: &tracing::span::Record<'_>,
    ) -> fmt::Result {
        let first = current.fields.is_empty();
        let mut members = Members::new(current.as_writer());
        members.first = first;
        fields.record(&mut members);
        members.result
    }
}

impl<S, N> FormatEvent<S, N> for JsonLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        // humantime writes the stamp from one buffer; tracing-subscriber's own clock goes
        // through a formatting call per part (2.5k instructions a line against a few hundred).
        let now = humantime::format_rfc3339_micros(std::time::SystemTime::now());
        write!(writer, "{{\"timestamp\":\"{now}\",\"level\":\"")?;
        writer.write_str(meta.level().as_str())?;
        writer.write_char('"')?;
        let mut members = Members::new(writer.by_ref());
        members.first = false;
        event.record(&mut members);
        members.result?;
        writer.write_str(",\"target\":")?;
        string(&mut writer, meta.target())?;
        let span = event
            .parent()
            .and_then(|id| ctx.span(id))
            .or_else(|| ctx.lookup_current());
        if let Some(span) = span {
            writer.write_str(",\"span\":{")?;
            let extensions = span.extensions();
            if let Some(fields) = extensions.get::<FormattedFields<N>>() {
                if !fields.fields.is_empty() {
                    writer.write_str(&fields.fields)?;
                    writer.write_char(',')?;
                }
            }
            writer.write_str("\"name\":")?;
            string(&mut writer, span.name())?;
            writer.write_char('}')?;
        }
        writer.write_str("}\n")
    }
}

/// Writes fields as `"key":value` members, a comma before each but the first.
struct Members<'w> {
    writer: Writer<'w>,
    first: bool,
    result: fmt::Result,
}

impl<'w> Members<'w> {
    fn new(writer: Writer<'w>) -> Self {
        Members {
            writer,
            first: true,
            result: Ok(()),
        }
    }

    fn member(&mut self, field: &Field, value: impl FnOnce(&mut Writer<'w>) -> fmt::Result) {
        if self.result.is_err() {
            return;
        }
        self.result = (|| {
            if !std::mem::take(&mut self.first) {
                self.writer.write_char(',')?;
            }
            string(&mut self.writer, field.name())?;
            self.writer.write_char(':')?;
            value(&mut self.writer)
        })();
    }
}

impl Visit for Members<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.member(field, |w| string(w, value));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.member(field, |w| {
            w.write_char('"')?;
            write!(Escaped(w), "{value:?}")?;
            w.write_char('"')
        });
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.member(field, |w| write!(w, "{value}"));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.member(field, |w| write!(w, "{value}"));
    }

    fn record_i128(&mut self, field: &Field, value: i128) {
        self.member(field, |w| write!(w, "{value}"));
    }

    fn record_u128(&mut self, field: &Field, value: u128) {
        self.member(field, |w| write!(w, "{value}"));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.member(field, |w| write!(w, "{value}"));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        // JSON has no NaN or infinity; serde_json writes them as null too.
        self.member(field, |w| {
            if value.is_finite() {
                write!(w, "{value}")
            } else {
                w.write_str("null")
            }
        });
    }
}

fn string(w: &mut Writer<'_>, s: &str) -> fmt::Result {
    w.write_char('"')?;
    Escaped(w).write_str(s)?;
    w.write_char('"')
}

/// Escapes what it is given as the inside of a JSON string.
struct Escaped<'a, 'w>(&'a mut Writer<'w>);

impl fmt::Write for Escaped<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut clean = 0;
        for (i, b) in s.bytes().enumerate() {
            let escape = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0..=0x1f => "",
                _ => continue,
            };
            self.0.write_str(&s[clean..i])?;
            if escape.is_empty() {
                write!(self.0, "\\u{b:04x}")?;
            } else {
                self.0.write_str(escape)?;
            }
            clean = i + 1;
        }
        self.0.write_str(&s[clean..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn lines(f: impl FnOnce()) -> Vec<(String, serde_json::Value)> {
        let buffer = Buffer::default();
        let out = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .event_format(JsonLine)
            .fmt_fields(JsonMembers)
            .with_writer(move || out.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, f);
        let bytes = buffer.0.lock().unwrap().clone();
        String::from_utf8(bytes)
            .unwrap()
            .lines()
            .map(|l| {
                let value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
                (l.to_string(), value)
            })
            .collect()
    }

    #[test]
    fn a_line_is_json_with_the_event_and_its_span() {
        let hostile = "a\"b\\c\nd\u{1}é\u{7f}";
        let got = lines(|| {
            let span = tracing::info_span!("request", request_id = %"r-1", path = hostile);
            let _entered = span.enter();
            tracing::info!(method = %"GET", status = 200u16, micros = 17u64, ok = true,
                ratio = 0.5, nan = f64::NAN, big = u128::MAX, neg = -3i64, debug = ?hostile, "request");
        });
        assert_eq!(got.len(), 1);
        let (text, line) = &got[0];
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["message"], "request");
        assert_eq!(line["method"], "GET");
        assert_eq!(line["status"], 200);
        assert_eq!(line["micros"], 17);
        assert_eq!(line["ok"], true);
        assert_eq!(line["ratio"], 0.5);
        assert!(line["nan"].is_null());
        assert!(text.contains(&format!(",\"big\":{},", u128::MAX)), "{text}");
        assert_eq!(line["neg"], -3);
        assert_eq!(line["debug"], format!("{hostile:?}"));
        assert_eq!(line["target"], module_path!());
        assert_eq!(line["span"]["name"], "request");
        assert_eq!(line["span"]["request_id"], "r-1");
        assert_eq!(line["span"]["path"], hostile);
        let stamp = line["timestamp"].as_str().unwrap();
        assert!(stamp.parse::<jiff::Timestamp>().is_ok(), "{stamp}");
    }

    #[test]
    fn an_event_outside_any_span_has_no_span_and_recorded_fields_join_the_span() {
        let got = lines(|| {
            tracing::warn!("alone");
            let span = tracing::info_span!("job", a = 1u64, b = tracing::field::Empty);
            span.record("b", "later");
            let _entered = span.enter();
            tracing::error!(x = "y");
            let bare = tracing::info_span!("bare");
            let _inner = bare.enter();
            tracing::info!("inner");
        });
        let got: Vec<_> = got.into_iter().map(|(_, v)| v).collect();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0]["message"], "alone");
        assert!(got[0].get("span").is_none());
        assert_eq!(got[1]["x"], "y");
        assert_eq!(got[1]["span"]["a"], 1);
        assert_eq!(got[1]["span"]["b"], "later");
        assert_eq!(got[2]["span"], serde_json::json!({"name": "bare"}));
    }
}
