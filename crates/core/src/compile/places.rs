//! Who belongs to whom over time, indexed both ways: each practice's memberships, each
//! body's practices, each body's parents and children.

use crate::model::body::BodyId;
use crate::model::interval::Interval;
use crate::model::place::{Membership, ParentLink};
use crate::snapshot::Lists;

/// Who belongs to whom over time, indexed both ways.
#[derive(Default)]
pub(super) struct Places {
    pub(super) practice_starts: Vec<u32>,
    pub(super) body_parents: Lists<(Interval, BodyId)>,
    pub(super) body_children: Lists<(Interval, BodyId)>,
    pub(super) body_practices: Lists<u32>,
}

pub(super) fn index_places(
    memberships: &[Membership],
    parents: &[ParentLink],
    n_practices: usize,
    n_bodies: usize,
) -> Places {
    // `memberships` are valid and in (practice, date) order (`check_instruments`), so a
    // practice's memberships are a range of them: one start a practice rather than a
    // 12-byte copy of each membership.
    let mut practice_starts = vec![0u32; n_practices + 1];
    for m in memberships {
        practice_starts[m.practice.0 as usize + 1] += 1;
    }
    for i in 0..n_practices {
        practice_starts[i + 1] += practice_starts[i];
    }
    // A body's practices as positions in `memberships`, which the snapshot keeps anyway:
    // four bytes a membership instead of a sixteen-byte copy.
    let body_practices = Lists::build(
        n_bodies,
        memberships
            .iter()
            .enumerate()
            .map(|(i, m)| (m.body.0 as usize, i as u32)),
    );
    let links = parents.iter().filter(|p| {
        p.child != p.parent && (p.child.0 as usize) < n_bodies && (p.parent.0 as usize) < n_bodies
    });
    let mut body_parents = Lists::build(
        n_bodies,
        links
            .clone()
            .map(|p| (p.child.0 as usize, (p.during, p.parent))),
    );
    let mut body_children = Lists::build(
        n_bodies,
        links.map(|p| (p.parent.0 as usize, (p.during, p.child))),
    );
    body_parents.sort_each_by_key(|(iv, _)| iv.from);
    body_children.sort_each_by_key(|(iv, _)| iv.from);
    Places {
        practice_starts,
        body_parents,
        body_children,
        body_practices,
    }
}
