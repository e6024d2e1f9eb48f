//! A page as every format shows it: its title, the navigation item it belongs to, its
//! HTML, its JSON and its CSV table. Names no request and no error, so that errors and the
//! layout can both build on it.

use axum::http::StatusCode;
use maud::Markup;

/// The navigation item a page belongs to, so the header can mark it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Search,
    Who,
    Analyses,
    Diff,
    Proposals,
    Work,
    Procurement,
    Conflicts,
    Account,
}

/// Everything a page shows, in each of its forms.
pub struct View {
    pub title: String,
    pub section: Option<Section>,
    /// Breadcrumbs above the title, as (text, href); the home crumb is added.
    pub crumbs: Vec<(String, String)>,
    pub main: Markup,
    pub data: serde_json::Value,
    pub table: Csv,
    pub status: StatusCode,
    /// Whether to offer the JSON and CSV downloads of this address (not for pages that
    /// answer a posted form, which offer their own).
    pub downloads: bool,
}

impl View {
    pub fn new(title: impl Into<String>, section: Option<Section>, main: Markup) -> View {
        View {
            title: title.into(),
            section,
            crumbs: Vec::new(),
            main,
            data: serde_json::Value::Null,
            table: Csv::default(),
            status: StatusCode::OK,
            downloads: true,
        }
    }

    pub fn crumb(mut self, text: impl Into<String>, href: impl Into<String>) -> View {
        self.crumbs.push((text.into(), href.into()));
        self
    }

    pub fn data(mut self, data: impl serde::Serialize) -> View {
        self.data = serde_json::to_value(data).unwrap_or_else(
            |e| serde_json::json!({"error": format!("the answer could not be written as JSON: {e}")}),
        );
        self
    }

    pub fn table(mut self, table: Csv) -> View {
        self.table = table;
        self
    }
}

/// A table for the CSV download: the rows the page's main table shows, written by the one
/// CSV writer (`vires_app::csv`, which neutralises cells that would start a formula).
pub type Csv = vires_app::csv::Table;
