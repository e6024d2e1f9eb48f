//! Prometheus metrics, hand-rolled: request counts and a latency histogram by route,
//! method and status, and the register revision. Rendered as text at `/metrics`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// The value under `key`, added empty first if there is none; the key is copied only then.
fn slot<'m, V: Default>(map: &'m mut BTreeMap<String, V>, key: &str) -> Option<&'m mut V> {
    if !map.contains_key(key) {
        map.insert(key.to_owned(), V::default());
    }
    map.get_mut(key)
}

/// A route's series: method → status → series.
type ByMethod = BTreeMap<String, BTreeMap<u16, Series>>;

#[derive(Default)]
pub struct Metrics {
    /// Route → method → status. Nested rather than keyed by a tuple so that a request's
    /// series is found by borrowing its route and method, with no copies.
    requests: Mutex<BTreeMap<String, ByMethod>>,
    revision: AtomicU64,
    writes: AtomicU64,
    stale_writes: AtomicU64,
}

/// HTTP methods counted under their own name; any other is counted as `other`. Labels come
/// only from fixed sets (these, the router's route templates, status codes), so no request
/// can add a series of its choosing.
const METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE",
];

fn method_label(method: &str) -> &'static str {
    METHODS
        .iter()
        .find(|m| **m == method)
        .copied()
        .unwrap_or("other")
}

impl Metrics {
    /// Counts a request. `route` must be a route template (or `unmatched`), never a path.
    pub fn observe(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        let method = method_label(method);
        let secs = elapsed.as_secs_f64();
        let mut map = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        let Some(statuses) = slot(&mut map, route).and_then(|methods| slot(methods, method)) else {
            return;
        };
        let s = statuses.entry(status).or_default();
        s.count += 1;
        s.sum += secs;
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                s.buckets[i] += 1;
            }
        }
    }

    pub fn set_revision(&self, rev: u64) {
        self.revision.store(rev, Ordering::Relaxed);
    }

    pub fn write_published(&self) {
        self.writes.fetch_add(1, Ordering::Relaxed);
    }

    pub fn write_stale(&self) {
        self.stale_writes.fetch_add(1, Ordering::Relaxed);
    }

    /// The Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP vires_register_revision Revision of the register this instance answers from."
        );
        let _ = writeln!(out, "# TYPE vires_register_revision gauge");
        let _ = writeln!(
            out,
            "vires_register_revision {}",
            self.revision.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP vires_writes_total Changes published through this instance."
        );
        let _ = writeln!(out, "# TYPE vires_writes_total counter");
        let _ = writeln!(
            out,
            "vires_writes_total {}",
            self.writes.load(Ordering::Relaxed)
        );
        let _ = writeln!(out, "# HELP vires_stale_writes_total Writes refused because the register had moved on (409).");
        let _ = writeln!(out, "# TYPE vires_stale_writes_total counter");
        let _ = writeln!(
            out,
            "vires_stale_writes_total {}",
            self.stale_writes.load(Ordering::Relaxed)
        );
        let map = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        let series = || {
            map.iter().flat_map(|(route, methods)| {
                methods.iter().flat_map(move |(method, statuses)| {
                    statuses
                        .iter()
                        .map(move |(status, s)| (route, method, status, s))
                })
            })
        };
        let _ = writeln!(
            out,
            "# HELP vires_http_requests_total HTTP requests by route, method and status."
        );
        let _ = writeln!(out, "# TYPE vires_http_requests_total counter");
        for (route, method, status, s) in series() {
            let _ = writeln!(
                out,
                "vires_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {}",
                escape(route),
                escape(method),
                s.count
            );
        }
        let _ = writeln!(out, "# HELP vires_http_request_duration_seconds HTTP request latency by route, method and status.");
        let _ = writeln!(out, "# TYPE vires_http_request_duration_seconds histogram");
        for (route, method, status, s) in series() {
            let labels = format!(
                "route=\"{}\",method=\"{}\",status=\"{status}\"",
                escape(route),
                escape(method)
            );
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "vires_http_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "vires_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "vires_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "vires_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative() {
        let m = Metrics::default();
        m.observe("/who", "GET", 200, Duration::from_millis(3));
        m.observe("/who", "GET", 200, Duration::from_millis(300));
        let t = m.render();
        assert!(
            t.contains("vires_http_requests_total{route=\"/who\",method=\"GET\",status=\"200\"} 2"),
            "{t}"
        );
        assert!(t.contains("le=\"0.005\"} 1"), "{t}");
        assert!(t.contains("le=\"0.5\"} 2"), "{t}");
        assert!(t.contains("le=\"+Inf\"} 2"), "{t}");
    }

    /// 1,000 requests with made-up method names once added 45 MB of series for good.
    #[test]
    fn unknown_methods_share_one_series() {
        let m = Metrics::default();
        for i in 0..1000 {
            let name = format!("M{i}{}", "X".repeat(600));
            m.observe("unmatched", &name, 405, Duration::from_millis(1));
        }
        m.observe("unmatched", "GET", 404, Duration::from_millis(1));
        let t = m.render();
        assert!(
            t.contains(
                "vires_http_requests_total{route=\"unmatched\",method=\"other\",status=\"405\"} 1000"
            ),
            "{t}"
        );
        assert!(!t.contains("XXXX"), "a made-up method became a label");
        assert!(t.len() < 8 * 1024, "{} bytes", t.len());
    }
}
