//! The practices an area names ([`PracticeList`]): a list read as a slice, held compactly.

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// The practices an area names, read as a slice of codes. One code is held inline: nine
/// instruments in ten at the largest sizes are decisions recorded at one practice, and a
/// list of one on the heap was an allocation each (32 bytes, and a cache miss wherever it
/// landed). Several are one boxed slice. Either way it takes 24 bytes, so an area is no
/// larger than with a `Vec`; it is serialised, compared and printed as a plain list.
#[derive(Clone)]
pub struct PracticeList(PracticeCodes);

#[derive(Clone)]
enum PracticeCodes {
    One(SmolStr),
    // Never one: `PracticeList` is only made through `from_iter`, so each list has one form.
    Many(Box<[SmolStr]>),
}

impl std::ops::Deref for PracticeList {
    type Target = [SmolStr];
    fn deref(&self) -> &[SmolStr] {
        match &self.0 {
            PracticeCodes::One(code) => std::slice::from_ref(code),
            PracticeCodes::Many(codes) => codes,
        }
    }
}

impl FromIterator<SmolStr> for PracticeList {
    fn from_iter<I: IntoIterator<Item = SmolStr>>(iter: I) -> Self {
        let mut codes: Vec<SmolStr> = iter.into_iter().collect();
        if codes.len() == 1 {
            if let Some(only) = codes.pop() {
                return PracticeList(PracticeCodes::One(only));
            }
        }
        PracticeList(PracticeCodes::Many(codes.into_boxed_slice()))
    }
}

impl<'a> IntoIterator for &'a PracticeList {
    type Item = &'a SmolStr;
    type IntoIter = std::slice::Iter<'a, SmolStr>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl From<Vec<SmolStr>> for PracticeList {
    fn from(codes: Vec<SmolStr>) -> Self {
        codes.into_iter().collect()
    }
}

impl PartialEq for PracticeList {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for PracticeList {}

impl std::fmt::Debug for PracticeList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for PracticeList {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for PracticeList {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<SmolStr>::deserialize(d).map(PracticeList::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_practice_list_reads_writes_and_prints_as_a_plain_list() {
        for codes in [vec![], vec!["A81001"], vec!["A81001", "A81002", "B82005"]] {
            let plain: Vec<SmolStr> = codes.iter().map(|&c| c.into()).collect();
            let list = PracticeList::from(plain.clone());
            assert_eq!(&*list, plain.as_slice());
            assert_eq!(format!("{list:?}"), format!("{plain:?}"));
            let json = serde_json::to_string(&list).expect("serialises");
            assert_eq!(json, serde_json::to_string(&plain).expect("serialises"));
            let back: PracticeList = serde_json::from_str(&json).expect("reads back");
            assert_eq!(back, list);
            assert_eq!((&list).into_iter().count(), codes.len());
        }
        // One code is held inline, so a list of one equals one however it was made.
        let one: PracticeList = std::iter::once(SmolStr::from("A81001")).collect();
        assert!(matches!(one.0, PracticeCodes::One(_)));
        assert_eq!(one, PracticeList::from(vec![SmolStr::from("A81001")]));
        assert_ne!(one, PracticeList::from(vec![SmolStr::from("A81002")]));
        assert!(serde_json::from_str::<PracticeList>(r#"["A81001", 7]"#).is_err());
    }
}
