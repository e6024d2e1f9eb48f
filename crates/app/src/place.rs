//! Places as users give them: one rule for every adapter. Codes of practices and bodies
//! are ODS codes, which are upper case, so they are trimmed and upper-cased; the id of a
//! named area is the register's own and is only trimmed.

use vires_core::Place;

/// An ODS code as typed: trimmed, upper case.
pub fn code(typed: &str) -> String {
    typed.trim().to_ascii_uppercase()
}

/// A GP practice by its ODS code.
pub fn practice(typed: &str) -> Place {
    Place::Practice(code(typed).into())
}

/// A body's footprint by the body's code.
pub fn body(typed: &str) -> Place {
    Place::Body(code(typed).into())
}

/// A named area by its id.
pub fn area(typed: &str) -> Place {
    Place::Area(typed.trim().to_string().into())
}

/// The place a question names: at most one of a practice, a body and an area; none is
/// England. Two or more is `None` (each adapter says so in its own words).
pub fn one_of(practice: Option<&str>, body: Option<&str>, area: Option<&str>) -> Option<Place> {
    match (practice, body, area) {
        (None, None, None) => Some(Place::England),
        (Some(p), None, None) => Some(self::practice(p)),
        (None, Some(b), None) => Some(self::body(b)),
        (None, None, Some(a)) => Some(self::area(a)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_upper_cased_and_area_ids_kept() {
        assert_eq!(practice(" b82005 "), Place::Practice("B82005".into()));
        assert_eq!(body("02q"), Place::Body("02Q".into()));
        assert_eq!(
            area(" Greater-Manchester "),
            Place::Area("Greater-Manchester".into())
        );
        assert_eq!(one_of(None, None, None), Some(Place::England));
        assert_eq!(one_of(Some("a"), Some("b"), None), None);
    }
}
