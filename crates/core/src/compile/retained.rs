//! What a maker keeps: a `retained` item that names a taxonomy function the instrument grants
//! but does not list in `except` is a contradiction. The agreement says the maker kept it, yet
//! the grant passes it on (a holding of a parent covers its children), so answers would name
//! the receiver as its holder. The check finds such items so that the instrument can except
//! the function (V023).

use crate::answer::knowledge::marked_to_confirm;
use crate::model::function::{FunctionId, Taxonomy};

/// The taxonomy functions named in `retained` that `functions` cover and `except` does not,
/// in the order they are named, each once.
pub fn retained_but_granted(
    taxonomy: &Taxonomy,
    functions: &[FunctionId],
    except: &[FunctionId],
    retained: &[String],
) -> Vec<FunctionId> {
    let mut found = Vec::new();
    // An item marked "to confirm" may name a function the maker did not except: it says the
    // maker may have kept it, which answers carry as a caveat (answer/reservations.rs).
    for item in retained.iter().filter(|item| !marked_to_confirm(item)) {
        for word in function_words(item) {
            let Some(f) = taxonomy.get(word) else {
                continue;
            };
            let granted = functions.iter().any(|&g| taxonomy.covers(g, f));
            let excepted = except.iter().any(|&x| taxonomy.covers(x, f));
            if granted && !excepted && !found.contains(&f) {
                found.push(f);
            }
        }
    }
    found
}

/// The words of a retained item that could be function ids (letters, digits, `.`, `-`, `_`),
/// without a full stop that ends a sentence.
pub(crate) fn function_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::function::FunctionDef;

    fn taxonomy() -> (Taxonomy, FunctionId, FunctionId, FunctionId) {
        let mut t = Taxonomy::default();
        let mut add = |id: &str| {
            t.declare(FunctionDef {
                id: id.into(),
                name: id.into(),
                note: None,
            })
        };
        let medical = add("commissioning.primary-care.medical");
        let performers = add("commissioning.primary-care.medical.performers");
        let dental = add("commissioning.primary-care.dental");
        (t, medical, performers, dental)
    }

    #[test]
    fn a_retained_function_that_is_granted_and_not_excepted_is_found() {
        let (t, medical, performers, _) = taxonomy();
        let retained = vec![
            "performers lists (commissioning.primary-care.medical.performers).".to_string(),
            "commissioning.primary-care.medical.performers again".to_string(),
        ];
        assert_eq!(
            retained_but_granted(&t, &[medical], &[], &retained),
            vec![performers]
        );
    }

    #[test]
    fn an_excepted_or_ungranted_function_or_plain_words_are_not_found() {
        let (t, medical, performers, dental) = taxonomy();
        let named = vec!["commissioning.primary-care.medical.performers".to_string()];
        assert!(retained_but_granted(&t, &[medical], &[performers], &named).is_empty());
        assert!(retained_but_granted(&t, &[dental], &[], &named).is_empty());
        let words = vec!["functions reserved in the delegation agreement".to_string()];
        assert!(retained_but_granted(&t, &[medical], &[], &words).is_empty());
    }

    #[test]
    fn an_item_to_confirm_may_name_a_granted_function() {
        let (t, medical, _, _) = taxonomy();
        let unsure = vec![
            "commissioning.primary-care.medical.performers: whether it was kept is to confirm"
                .to_string(),
        ];
        assert!(retained_but_granted(&t, &[medical], &[], &unsure).is_empty());
    }
}
