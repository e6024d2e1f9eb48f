//! Where: who belongs to whom over time (practices in bodies, bodies under bodies), and an
//! area expression read as the area keys a grant is indexed under, with `own` the footprint
//! of the body the docs/language.md rules name for each kind of instrument.

use super::Compiler;
use crate::model::body::{BodyId, BodyKind};
use crate::model::instrument::AreaExpr;
use crate::snapshot::{memberships_in, AreaKey};
use jiff::civil::Date;

impl Compiler {
    /// Area keys of an expression on date `t`, with `own` meaning `own_body`'s footprint.
    pub(super) fn area_keys(
        &self,
        a: Option<&AreaExpr>,
        own_body: BodyId,
        t: Date,
        out: &mut Vec<AreaKey>,
        depth: u32,
    ) {
        if depth > 32 {
            return;
        }
        match a {
            None | Some(AreaExpr::Own) => {
                if matches!(
                    self.reg.body(own_body).kind,
                    BodyKind::NhsEngland | BodyKind::SecretaryOfState | BodyKind::Parliament
                ) {
                    out.push(AreaKey::England)
                } else {
                    out.push(AreaKey::Body(own_body))
                }
            }
            Some(AreaExpr::England) => out.push(AreaKey::England),
            Some(AreaExpr::Footprint(code)) => {
                if let Some(b) = self.reg.body_near(code, t) {
                    let mut via = Vec::new();
                    let b = self.carry(b, t, &mut via).unwrap_or(b);
                    out.push(AreaKey::Body(b));
                }
            }
            Some(AreaExpr::Practices(ps)) => out.extend(
                ps.iter()
                    .filter_map(|p| self.reg.practice_id(p))
                    .map(AreaKey::Practice),
            ),
            Some(AreaExpr::Named(n)) => {
                if let Some(na) = self.reg.area(n) {
                    self.area_keys(Some(&na.expr), own_body, t, out, depth + 1)
                }
            }
            Some(AreaExpr::Union(parts)) => {
                for p in parts {
                    self.area_keys(Some(p), own_body, t, out, depth + 1);
                }
            }
        }
        out.sort();
        out.dedup();
    }

    pub(super) fn keys_contained(&self, parent: &[AreaKey], child: &[AreaKey], t: Date) -> bool {
        child
            .iter()
            .all(|ck| parent.iter().any(|pk| self.key_contains(*pk, *ck, t)))
    }

    fn key_contains(&self, pk: AreaKey, ck: AreaKey, t: Date) -> bool {
        if pk == ck || pk == AreaKey::England {
            return true;
        }
        match (pk, ck) {
            (AreaKey::Body(p), AreaKey::Body(c)) => self.is_ancestor(p, c, t),
            (AreaKey::Body(p), AreaKey::Practice(a)) => {
                memberships_in(&self.reg.memberships, &self.places.practice_starts, a)
                    .iter()
                    .any(|m| {
                        m.during.contains(t) && (m.body == p || self.is_ancestor(p, m.body, t))
                    })
            }
            _ => false,
        }
    }

    fn is_ancestor(&self, p: BodyId, c: BodyId, t: Date) -> bool {
        let mut cur = c;
        for _ in 0..16 {
            match self
                .places
                .body_parents
                .get(cur.0 as usize)
                .iter()
                .find(|(iv, _)| iv.contains(t))
            {
                Some((_, next)) if *next == p => return true,
                Some((_, next)) => cur = *next,
                None => return false,
            }
        }
        false
    }
}
