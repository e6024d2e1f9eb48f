//! The ICB reshapes after 2022-07-01, as read from the successor file by
//! [`crate::lineage::reshape`]: which ICBs closed, on what day, into which successors. Its own
//! module because both lineage and the curated allocations of a split read it.

use jiff::civil::Date;
use std::collections::BTreeMap;

/// ICB changes after 2022-07-01 found in the successor file.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reshape {
    /// ICB code to the day it ceased (exclusive end of its life).
    pub closing: BTreeMap<String, Date>,
    /// ICB code to its successors' codes.
    pub successors: BTreeMap<String, Vec<String>>,
    /// Successor codes not in the ICB file, to the day they start.
    pub new_bodies: BTreeMap<String, Date>,
}
