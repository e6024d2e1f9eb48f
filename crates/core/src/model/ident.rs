//! What an instrument id or a body code may be: 1 to 128 characters, each an ASCII letter
//! or digit, `.`, `_` or `-`, the first a letter or digit. These are the characters a
//! `.vires` word may hold, so every id can be written there without quotes; and an id
//! stands as it is in a URL path, a file name, a CSV cell or an HTML page, with nothing to
//! escape and no `..` or `/` to walk a path with.

/// The longest id accepted.
pub const MAX_ID_LEN: usize = 128;

/// Whether `c` may appear in an id.
pub fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// What is wrong with `id`, if anything, said so that "instrument id `…` " can precede it.
pub fn id_problem(id: &str) -> Option<String> {
    let Some(first) = id.chars().next() else {
        return Some("is empty".into());
    };
    if let Some(c) = id.chars().find(|c| !is_id_char(*c)) {
        return Some(format!(
            "holds {c:?}; ids are ASCII letters, digits, `.`, `_` and `-`"
        ));
    }
    if !first.is_ascii_alphanumeric() {
        return Some(format!(
            "starts with {first:?}; start it with a letter or digit"
        ));
    }
    if id.len() > MAX_ID_LEN {
        return Some(format!(
            "is {} characters long; at most {MAX_ID_LEN}",
            id.len()
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ids_the_register_uses_are_accepted() {
        for id in [
            "hca-2022-icb-secondary-care",
            "ods-merge-QWE-2022-07-01",
            "X24",
            "E08000021",
            "s14Z3",
            "commissioning.primary-care",
            "a_b",
        ] {
            assert_eq!(id_problem(id), None, "{id}");
        }
    }

    /// The ids the attack used, and their neighbours.
    #[test]
    fn empty_blank_and_path_like_ids_are_refused() {
        for (id, says) in [
            ("", "is empty"),
            ("   ", "holds ' '"),
            ("weird/../id<x>\"", "holds '/'"),
            ("..", "starts with '.'"),
            ("-x", "starts with '-'"),
            ("tab\there", "holds '\\t'"),
            ("é", "holds 'é'"),
        ] {
            let p = id_problem(id).unwrap_or_default();
            assert!(p.contains(says), "{id:?}: {p}");
        }
        assert!(id_problem(&"a".repeat(MAX_ID_LEN)).is_none());
        assert!(id_problem(&"a".repeat(MAX_ID_LEN + 1))
            .unwrap()
            .contains("at most 128"));
    }
}
