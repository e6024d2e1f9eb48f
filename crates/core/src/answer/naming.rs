//! How answers name the parts of a place in their messages: a place as a sentence names it,
//! and the first few of a list with how many more. Shared by the answers and their caveats,
//! and naming nothing of either.

use crate::model::place::Place;

/// How many parts a message names before it says "and N more".
pub(crate) const NAMED: usize = 5;

/// A place as a sentence names it: "the footprint of QHM", "England", "area Y63".
pub(crate) fn the_place(place: &Place) -> String {
    match place {
        Place::Body(code) => format!("the footprint of {code}"),
        other => other.to_string(),
    }
}

/// "A; B; C; D; E; and 3 more" (names may hold commas).
pub(crate) fn name_first(names: &[String]) -> String {
    let shown = names
        .iter()
        .take(NAMED)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("; ");
    match names.len().saturating_sub(NAMED) {
        0 => shown,
        more => format!("{shown}; and {more} more"),
    }
}
