//! Charts drawn on the server as SVG, so they need no script: the holders of a function over
//! time, and the chain of instruments from statute to a holder. Each has a title and a
//! description for assistive technology, and the page shows the same facts as a table.

use crate::layout::{self, date_text};
use maud::{html, Markup};
use vires_core::analysis::Timeline;
use vires_core::{Date, Role};

/// Colours from the NHS palette with at least 4.5:1 contrast against white text.
fn role_colour(r: Role) -> &'static str {
    match r {
        Role::Statutory => "#005eb8",
        Role::Delegate => "#007f3b",
        Role::Concurrent => "#330072",
        Role::JointMember => "#7c2855",
        Role::LeadPartner => "#003087",
        Role::Directed => "#8a1538",
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let cut: String = s.chars().take(n.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// One box of a delegation chain.
pub struct ChainNode {
    pub heading: String,
    pub detail: String,
    pub href: Option<String>,
}

/// A vertical chain of boxes joined by arrows, root first.
pub fn chain(id: &str, title: &str, desc: &str, nodes: &[ChainNode]) -> Markup {
    let w = 640;
    let bh = 56;
    let gap = 28;
    let h = nodes.len() as i32 * (bh + gap) - gap + 2;
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    html! {
        div class="vires-chart-wrap" {
            // A group, not an image: its boxes are links to the instruments.
            svg class="vires-chart" xmlns="http://www.w3.org/2000/svg" role="group"
                width=(w) height=(h.max(bh)) viewBox=(format!("0 0 {w} {}", h.max(bh)))
                aria-labelledby=(format!("{title_id} {desc_id}")) {
                title id=(title_id) { (title) }
                desc id=(desc_id) { (desc) }
                defs {
                    marker id=(format!("{id}-arrow")) viewBox="0 0 10 10" refX="5" refY="9" markerWidth="8" markerHeight="8" orient="auto" {
                        path d="M0,0 L10,0 L5,10 z" fill="#425563" {}
                    }
                }
                @for (i, n) in nodes.iter().enumerate() {
                    @let y = 1 + i as i32 * (bh + gap);
                    @let last = i + 1 == nodes.len();
                    g {
                        title { (n.heading) ": " (n.detail) }
                        @if let Some(href) = &n.href {
                            a href=(href) {
                                (chain_box(y, w, bh, last, n))
                            }
                        } @else {
                            (chain_box(y, w, bh, last, n))
                        }
                    }
                    @if !last {
                        line x1=(w / 2) y1=(y + bh) x2=(w / 2) y2=(y + bh + gap - 4) stroke="#425563" stroke-width="2"
                            marker-end=(format!("url(#{id}-arrow)")) {}
                    }
                }
            }
        }
    }
}

fn chain_box(y: i32, w: i32, bh: i32, last: bool, n: &ChainNode) -> Markup {
    let (fill, text) = if last {
        ("#005eb8", "#ffffff")
    } else {
        ("#f0f4f5", "#212b32")
    };
    html! {
        rect x="1" y=(y) width=(w - 2) height=(bh) rx="4" fill=(fill) stroke="#005eb8" stroke-width="2" {}
        text x="14" y=(y + 22) fill=(text) font-family="Arial, sans-serif" font-size="15" font-weight="bold" { (clip(&n.heading, 70)) }
        text x="14" y=(y + 44) fill=(text) font-family="Arial, sans-serif" font-size="14" { (clip(&n.detail, 80)) }
    }
}

/// The holders of a function over time: one row per holder, one bar per period held.
pub fn timeline(
    id: &str,
    tl: &Timeline,
    name_of: &dyn Fn(&str, Date) -> String,
    today: Date,
) -> Markup {
    // One row per (body, role): a body that is first a delegate then statutory shows twice.
    // A code can name different bodies over time: each row is named as on its first day.
    let mut rows: Vec<(String, Role)> = Vec::new();
    let mut first_day: Vec<Date> = Vec::new();
    for s in &tl.segments {
        for h in &s.holders {
            let key = (h.body.clone(), h.role);
            if !rows.contains(&key) {
                rows.push(key);
                first_day.push(s.from);
            }
        }
    }
    let row_name = |i: usize| name_of(&rows[i].0, first_day[i]);
    let start = tl.segments.iter().map(|s| s.from).min();
    let end = tl
        .segments
        .iter()
        .map(|s| s.until.unwrap_or(today))
        .max()
        .map(|d| d.max(today));
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let title = format!(
        "Who held {} at {} over time",
        tl.function,
        layout::place_text(&tl.place)
    );
    let (Some(start), Some(end)) = (start, end) else {
        return html! { p { "No body has held this function here on any date in the register." } };
    };
    let days = (end - start).get_days().max(1) as f64;
    let label_w = 300.0;
    let chart_w = 620.0;
    let row_h = 34.0;
    let top = 30.0;
    let w = label_w + chart_w + 20.0;
    let h = top + rows.len() as f64 * row_h + 30.0;
    let x_of = |d: Date| label_w + chart_w * ((d - start).get_days() as f64 / days);
    let mut desc = String::new();
    for (i, (body, role)) in rows.iter().enumerate() {
        let periods: Vec<String> = tl
            .segments
            .iter()
            .filter(|s| s.holders.iter().any(|h| &h.body == body && h.role == *role))
            .map(|s| layout::period_text(s.from, s.until))
            .collect();
        desc.push_str(&format!(
            "{} ({}): {}. ",
            row_name(i),
            layout::role_text(*role),
            periods.join("; ")
        ));
    }
    let years: Vec<i16> = (start.year()..=end.year()).collect();
    let step = (years.len() / 8).max(1);
    html! {
           div class="vires-chart-wrap" {
               svg class="vires-chart" xmlns="http://www.w3.org/2000/svg" role="img"
                   width=(w) height=(h) viewBox=(format!("0 0 {w} {h}"))
                   aria-labelledby=(format!("{title_id} {desc_id}")) {
                   title id=(title_id) { (title) }
                   desc id=(desc_id) { (desc) }
                   @for y in years.iter().step_by(step) {
                       @if let Ok(d) = Date::new(*y, 1, 1) {
                           @if d >= start {
                               @let x = x_of(d);
                               line x1=(x) y1=(top - 6.0) x2=(x) y2=(h - 24.0) stroke="#d8dde0" stroke-width="1" {}
                               text x=(x) y=(h - 8.0) fill="#425563" font-family="Arial, sans-serif" font-size="13" text-anchor="middle" { (y) }
                           }
                       }
                   }
                   text x=(label_w) y="16" fill="#425563" font-family="Arial, sans-serif" font-size="13" { (date_text(start)) }
                   text x=(label_w + chart_w) y="16" fill="#425563" font-family="Arial, sans-serif" font-size="13" text-anchor="end" { (date_text(end)) }
                   @for (i, (body, role)) in rows.iter().enumerate() {
                       @let y = top + i as f64 * row_h;
                       text x="4" y=(y + 21.0) fill="#212b32" font-family="Arial, sans-serif" font-size="13" {
                           (clip(&row_name(i), 40))
                       }
                       @for s in tl.segments.iter().filter(|s| s.holders.iter().any(|h| &h.body == body && h.role == *role)) {
                           @let x1 = x_of(s.from);
                           @let x2 = x_of(s.until.unwrap_or(end).min(end));
                           g {
    title { (row_name(i)) ", " (layout::role_text(*role)) ", " (layout::period_text(s.from, s.until)) }
                               rect x=(x1) y=(y + 5.0) width=((x2 - x1).max(2.0)) height=(row_h - 10.0) rx="3" fill=(role_colour(*role)) {}
                           }
                       }
                   }
               }
           }
           p class="nhsuk-body-s" {
               "Colours: "
               @for r in [Role::Statutory, Role::Delegate, Role::Concurrent, Role::JointMember, Role::LeadPartner, Role::Directed] {
                   @if rows.iter().any(|(_, rr)| *rr == r) {
                       span class="nhsuk-u-margin-right-3" {
                           svg width="14" height="14" aria-hidden="true" focusable="false" { rect width="14" height="14" fill=(role_colour(r)) {} }
                           " " (layout::role_text(r))
                       }
                   }
               }
           }
       }
}
