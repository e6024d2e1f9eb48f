//! The `may` questions put to vires and to each peer, deterministic from a seed.

use super::*;
use vires_core::{BodyId, BodyKind};

/// One question put to vires and to each peer: may `body` exercise `function` at practice
/// `practice` on `on`, for `purpose`?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub body: String,
    pub function: String,
    pub practice: String,
    pub on: Date,
    pub purpose: Option<String>,
}

/// `n` questions about a compiled register, deterministic from `seed`, about `functions`
/// (those the register does not declare are skipped). About half name a body that `who`
/// reports as a holder (so many answers are yes); the rest name the practice's own
/// commissioner, NHS England or another commissioner alive on the day.
pub fn questions(
    snap: &vires_core::Snapshot,
    n: usize,
    seed: u64,
    functions: &[String],
) -> Vec<Question> {
    let mut rng = SplitMix::new(seed ^ 0x5155_4553_5449_4F4E);
    let reg = snap.register();
    let fns: Vec<String> = functions
        .iter()
        .filter(|f| snap.function_id(f).is_ok())
        .cloned()
        .collect();
    let commissioners: Vec<BodyId> = reg
        .bodies
        .iter()
        .enumerate()
        .filter(|(_, b)| {
            matches!(
                b.kind,
                BodyKind::Ccg | BodyKind::Icb | BodyKind::LocalAuthority
            )
        })
        .map(|(i, _)| BodyId(i as u32))
        .collect();
    let mut out = Vec::with_capacity(n);
    let (lo, hi) = (day_number(CCG_START), day_number(HORIZON));
    let mut guard = 0;
    while out.len() < n && guard < n * 20 {
        guard += 1;
        let Some(practice) = reg
            .practices
            .get(rng.below(reg.practices.len() as u64) as usize)
        else {
            break;
        };
        let on = from_day_number(rng.range(lo, hi));
        let Some(function) = rng.pick(&fns).cloned() else {
            break;
        };
        let purpose = match rng.below(10) {
            0 => Some(COVID_PURPOSES[0].to_string()),
            1 => Some(COVID_PURPOSES[1].to_string()),
            2 => Some(RECOVERY_PURPOSE.to_string()),
            _ => None,
        };
        let place = vires_core::Place::Practice(practice.code.as_str().into());
        let holders: Vec<String> = snap
            .who(&function, &place, on, None)
            .map(|w| w.holders.into_iter().map(|h| h.body.to_string()).collect())
            .unwrap_or_default();
        let body = match rng.below(4) {
            0 | 1 => rng.pick(&holders).cloned(),
            2 => {
                let chain: Vec<String> = reg
                    .practice_id(&practice.code)
                    .map(|a| {
                        let mut v = Vec::new();
                        snap.practice_chain(a, on, &mut v);
                        v.into_iter().map(|b| reg.body(b).code.clone()).collect()
                    })
                    .unwrap_or_default();
                rng.pick(&chain).cloned().or_else(|| Some("X24".into()))
            }
            _ => {
                if rng.chance(0.3) {
                    Some("X24".into())
                } else {
                    // Another commissioner alive that day.
                    (0..8).find_map(|_| {
                        let b = *rng.pick(&commissioners)?;
                        reg.body(b)
                            .life
                            .contains(on)
                            .then(|| reg.body(b).code.clone())
                    })
                }
            }
        };
        let Some(body) = body else { continue };
        if reg.body_at(&body, on).is_none() {
            continue;
        }
        out.push(Question {
            body,
            function,
            practice: practice.code.to_string(),
            on,
            purpose,
        });
    }
    out
}
