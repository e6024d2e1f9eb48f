//! Synthetic registers with the shape of the real one, at any size, deterministic from a seed.
//!
//! The unit of growth is an *ICB footprint*: a group of three to seven CCGs with their GP
//! practices, a local authority and, from 2022-07-01, an ICB whose sub-ICB locations keep
//! the old CCG codes. Each group lives through the English timeline: CCGs merging on
//! 1 April, practices opening, closing and moving, primary care co-commissioning (delegated
//! or joint, some agreements renewed each April, some revoked), joint committees of CCGs
//! (s.14Z3), s.75 partnerships with the council, interventions (s.14Z21 directions, some
//! purpose-limited, some extended by amendment), then ICB delegations of primary care,
//! dental, pharmacy and optometry, joint committees and delegations of specialised
//! services, and recorded exercises at practices. On top sit the national instruments:
//! conferrals on every CCG and every ICB and on NHS England, and the coronavirus direction
//! of 2020 with its amendment. A register grows by adding groups until it reaches the
//! instrument count asked for, so a register of 10^6 instruments has the same proportions
//! as one of 10^3.
//!
//! - [`rng`]: the seeded generator and day numbers;
//! - `builder`: the register under construction and its counts; `national` adds the
//!   national bodies and instruments, `footprint` one ICB footprint over the timeline;
//! - [`questions`]: the `may` questions asked of vires and of the peers.

mod builder;
mod footprint;
mod national;
pub mod questions;
pub mod rng;
#[cfg(test)]
mod tests;

pub use questions::{questions, Question};
pub use rng::{day_number, from_day_number, SplitMix};

use builder::Builder;
use jiff::civil::{date, Date};
use vires_core::Register;

pub const CCG_START: Date = date(2013, 4, 1);
pub const ICB_START: Date = date(2022, 7, 1);
/// The last day questions are asked about.
pub const HORIZON: Date = date(2026, 3, 31);

pub const F_SECONDARY: &str = "commissioning.secondary-care";
pub const F_ACUTE: &str = "commissioning.secondary-care.acute";
pub const F_COMMUNITY: &str = "commissioning.secondary-care.community";
pub const F_MENTAL: &str = "commissioning.secondary-care.mental-health";
pub const F_URGENT: &str = "commissioning.secondary-care.urgent-care";
pub const F_PRIMARY: &str = "commissioning.primary-care";
pub const F_MEDICAL: &str = "commissioning.primary-care.medical";
pub const F_DENTAL: &str = "commissioning.primary-care.dental";
pub const F_PHARMACY: &str = "commissioning.primary-care.pharmacy";
pub const F_OPTOMETRY: &str = "commissioning.primary-care.optometry";
pub const F_SPECIALISED: &str = "commissioning.specialised";
pub const F_JUSTICE: &str = "commissioning.health-and-justice";
pub const F_SUPPORT: &str = "support";
pub const F_BI: &str = "support.business-intelligence";
pub const F_GPIT: &str = "support.gp-it";
/// Specialised services, each its own function under `commissioning.specialised`.
pub const SPECIALISED_SERVICES: usize = 60;

pub const COVID_PURPOSES: [&str; 2] = ["independent-provider-commissioning", "coronavirus-support"];
pub const RECOVERY_PURPOSE: &str = "financial-recovery";

/// Functions questions are asked about (leaves and a few parents), in a fixed order.
pub fn query_functions() -> Vec<String> {
    let mut v: Vec<String> = [
        F_ACUTE,
        F_COMMUNITY,
        F_MENTAL,
        F_URGENT,
        F_SECONDARY,
        F_MEDICAL,
        F_DENTAL,
        F_PHARMACY,
        F_OPTOMETRY,
        F_JUSTICE,
        F_BI,
        F_GPIT,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for s in [1, 7, 19, 33, 59] {
        v.push(specialised(s));
    }
    v
}

pub fn specialised(n: usize) -> String {
    format!("{F_SPECIALISED}.s{n:03}")
}

/// What the generator made, beyond the register itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shape {
    pub groups: usize,
    pub ccgs: usize,
    pub icbs: usize,
    pub practices: usize,
    pub instruments: usize,
    pub merges: usize,
    pub delegations: usize,
    pub joint_committees: usize,
    pub partnerships: usize,
    pub directions: usize,
    pub amendments: usize,
    pub revocations: usize,
    pub exercises: usize,
}

/// A generated register and its shape.
#[derive(Debug, Clone)]
pub struct Synthetic {
    pub register: Register,
    pub shape: Shape,
}

/// A register of about `instruments` instruments (never fewer; one ICB footprint more at
/// most), the same for the same `seed`.
pub fn generate(instruments: usize, seed: u64) -> Synthetic {
    let mut b = Builder {
        reg: Register::new(),
        rng: SplitMix::new(seed),
        shape: Shape::default(),
        next_ccg: 0,
        next_practice: 0,
        next_instrument: 0,
    };
    b.national();
    let mut g = 0;
    while b.shape.instruments < instruments || g == 0 {
        g += 1;
        b.group(g);
    }
    Synthetic {
        register: b.reg,
        shape: b.shape,
    }
}
