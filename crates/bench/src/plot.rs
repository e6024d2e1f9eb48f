//! A log-log SVG chart of build time and query time against register size, drawn from the
//! measured points with no external tools.

use std::fmt::Write as _;

/// One line on the chart.
pub struct Series<'a> {
    pub label: &'a str,
    pub colour: &'a str,
    /// (instruments, value in the series' unit)
    pub points: Vec<(f64, f64)>,
    /// Plotted against the right-hand axis.
    pub right_axis: bool,
}

const W: f64 = 720.0;
const H: f64 = 420.0;
const L: f64 = 80.0;
const R: f64 = 80.0;
const T: f64 = 40.0;
const B: f64 = 60.0;

fn decades(values: impl Iterator<Item = f64>) -> (i32, i32) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| *v > 0.0 && v.is_finite()) {
        lo = lo.min(v.log10());
        hi = hi.max(v.log10());
    }
    if !lo.is_finite() {
        return (0, 1);
    }
    let (lo, hi) = (lo.floor() as i32, hi.ceil() as i32);
    (lo, if hi > lo { hi } else { lo + 1 })
}

fn label_for(exp: i32, unit: &str) -> String {
    let v = 10f64.powi(exp);
    match unit {
        "ms" if exp < 0 => format!("{} µs", 10f64.powi(exp + 3)),
        "ns" if exp >= 3 => format!("{} µs", 10f64.powi(exp - 3)),
        _ if exp >= 6 => format!("10^{exp} {unit}"),
        _ if exp >= 0 => format!("{} {unit}", v as u64),
        _ => format!("{v} {unit}"),
    }
}

/// An SVG document with `series` on log-log axes: instruments across, `left_unit` up the
/// left axis and `right_unit` up the right.
pub fn chart(title: &str, series: &[Series], left_unit: &str, right_unit: &str) -> String {
    let xs = decades(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)));
    let yl = decades(
        series
            .iter()
            .filter(|s| !s.right_axis)
            .flat_map(|s| s.points.iter().map(|p| p.1)),
    );
    let yr = decades(
        series
            .iter()
            .filter(|s| s.right_axis)
            .flat_map(|s| s.points.iter().map(|p| p.1)),
    );
    let px = |x: f64| L + (x.log10() - xs.0 as f64) / (xs.1 - xs.0) as f64 * (W - L - R);
    let py = |y: f64, (lo, hi): (i32, i32)| {
        H - B - (y.log10() - lo as f64) / (hi - lo) as f64 * (H - T - B)
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{W}" height="{H}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{}" y="22" text-anchor="middle" font-size="15">{title}</text>"#,
        W / 2.0
    );
    for e in xs.0..=xs.1 {
        let x = px(10f64.powi(e));
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{T}" x2="{x:.1}" y2="{}" stroke="#ddd"/>"##,
            H - B
        );
        let _ = writeln!(
            s,
            r#"<text x="{x:.1}" y="{}" text-anchor="middle">10^{e}</text>"#,
            H - B + 18.0
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">instruments in the register</text>"#,
        (L + W - R) / 2.0,
        H - 15.0
    );
    for e in yl.0..=yl.1 {
        let y = py(10f64.powi(e), yl);
        let _ = writeln!(
            s,
            r##"<line x1="{L}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#eee"/>"##,
            W - R
        );
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            L - 6.0,
            y + 4.0,
            label_for(e, left_unit)
        );
    }
    if series.iter().any(|s| s.right_axis) {
        for e in yr.0..=yr.1 {
            let y = py(10f64.powi(e), yr);
            let _ = writeln!(
                s,
                r#"<text x="{}" y="{:.1}">{}</text>"#,
                W - R + 6.0,
                y + 4.0,
                label_for(e, right_unit)
            );
        }
    }
    let _ = writeln!(
        s,
        r##"<rect x="{L}" y="{T}" width="{}" height="{}" fill="none" stroke="#333"/>"##,
        W - L - R,
        H - T - B
    );
    for (i, ser) in series.iter().enumerate() {
        let axis = if ser.right_axis { yr } else { yl };
        let pts: Vec<String> = ser
            .points
            .iter()
            .filter(|(x, y)| *x > 0.0 && *y > 0.0)
            .map(|(x, y)| format!("{:.1},{:.1}", px(*x), py(*y, axis)))
            .collect();
        let dash = if ser.right_axis {
            r#" stroke-dasharray="6 4""#
        } else {
            ""
        };
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{dash}/>"#,
            pts.join(" "),
            ser.colour
        );
        for p in &pts {
            let mut it = p.split(',');
            if let (Some(x), Some(y)) = (it.next(), it.next()) {
                let _ = writeln!(
                    s,
                    r#"<circle cx="{x}" cy="{y}" r="3.5" fill="{}"/>"#,
                    ser.colour
                );
            }
        }
        let ly = T + 16.0 + i as f64 * 18.0;
        let _ = writeln!(
            s,
            r#"<line x1="{}" y1="{ly}" x2="{}" y2="{ly}" stroke="{}" stroke-width="2"{dash}/>"#,
            L + 12.0,
            L + 36.0,
            ser.colour
        );
        let side = if ser.right_axis {
            right_unit
        } else {
            left_unit
        };
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}">{} ({side}, {} axis)</text>"#,
            L + 42.0,
            ly + 4.0,
            ser.label,
            if ser.right_axis { "right" } else { "left" }
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_every_point() {
        let svg = chart(
            "t",
            &[
                Series {
                    label: "build",
                    colour: "#005eb8",
                    points: vec![(1e3, 2.0), (1e4, 20.0), (1e6, 2000.0)],
                    right_axis: false,
                },
                Series {
                    label: "may",
                    colour: "#d5281b",
                    points: vec![(1e3, 300.0), (1e6, 900.0)],
                    right_axis: true,
                },
            ],
            "ms",
            "ns",
        );
        assert!(svg.starts_with("<svg"));
        assert_eq!(svg.matches("<circle").count(), 5);
        assert!(svg.contains("10^6"));
    }
}
