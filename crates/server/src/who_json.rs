//! `GET /who` answers written from each holder's JSON, kept per grant.
//!
//! A holder is a grant seen with a coverage (all of the place or part of it). Its JSON (codes,
//! names, dates, the proof's titles and sources) is the same in every answer that cites it,
//! and writing it was most of the cost of writing an answer. So it is written once per grant
//! and coverage, the first time an answer cites it, and copied after. The bytes are those
//! serde_json writes for the [`WhoAnswer`] (a test compares them over England's practices).

use jiff::civil::Date;
use once_cell::race::OnceBox;
use serde::Serialize;
use vires_core::{Place, QueryError, Snapshot};

/// One holder's JSON, written when an answer first cites it.
type Kept = OnceBox<Box<[u8]>>;

/// One grant's table of kept-part rows, made when an answer first cites one.
type KeptTable = OnceBox<Box<[Kept]>>;

/// Each holder's JSON of one snapshot, by grant and coverage; empty until the first answer.
#[derive(Default)]
pub struct HolderJson {
    by_grant: OnceBox<Box<[[Kept; 2]]>>,
    /// The JSON of a grant holding only a part of the function it kept (NHS England and a
    /// performers list), by grant, then part and coverage: a grant's table is made the
    /// first time an answer cites it so, and few grants ever are.
    by_kept: OnceBox<Box<[KeptTable]>>,
}

#[derive(Debug, thiserror::Error)]
pub enum WhoJsonError {
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error("writing the answer: {0}")]
    Json(#[from] sonic_rs::Error),
}

impl HolderJson {
    /// The JSON of `snapshot.who(function, place, on, purpose)`, appended to `out`.
    /// `snapshot` must be the one this was made for (its grants number the table).
    pub fn write_who(
        &self,
        snapshot: &Snapshot,
        function: &str,
        place: &Place,
        on: Date,
        purpose: Option<&str>,
        out: &mut Vec<u8>,
    ) -> Result<(), WhoJsonError> {
        let g = snapshot.who_grants(function, place, on, purpose)?;
        let by_grant = self.by_grant.get_or_init(|| {
            (0..snapshot.grant_count())
                .map(|_| Default::default())
                .collect::<Vec<_>>()
                .into_boxed_slice()
                .into()
        });
        // The fields in the order `WhoAnswer` declares them.
        out.extend_from_slice(b"{\"function\":");
        json(out, &g.function)?;
        out.extend_from_slice(b",\"on\":");
        json(out, &on)?;
        out.extend_from_slice(b",\"place\":");
        json(out, place)?;
        if let Some(p) = purpose {
            out.extend_from_slice(b",\"purpose\":");
            json(out, p)?;
        }
        out.extend_from_slice(b",\"holders\":[");
        for (i, &(gid, cov)) in g.holders.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            // A holder of part of a place larger than a practice carries that part, and a
            // row over one may gather several holdings: the answer's own, written each time.
            // A row holding only a part of the function it kept names that part.
            let part = g.parts.get(i).cloned().flatten();
            let gathered = g.gathered.get(i).map_or(&[][..], Vec::as_slice);
            let kept = g.kept.get(i).copied().flatten();
            if part.is_some() || !gathered.is_empty() {
                json(out, &snapshot.render_row(gid, cov, part, gathered, kept))?;
                continue;
            }
            if let Some(x) = kept {
                let functions = snapshot.register().taxonomy.len();
                let tables = self.by_kept.get_or_init(|| {
                    (0..snapshot.grant_count())
                        .map(|_| OnceBox::new())
                        .collect::<Vec<_>>()
                        .into_boxed_slice()
                        .into()
                });
                let cell = tables.get(gid.0 as usize).and_then(|t| {
                    t.get_or_init(|| {
                        (0..functions * 2)
                            .map(|_| Kept::new())
                            .collect::<Vec<_>>()
                            .into_boxed_slice()
                            .into()
                    })
                    .get(x.0 as usize * 2 + cov as usize)
                });
                match cell {
                    Some(cell) => {
                        let text = match cell.get() {
                            Some(text) => text,
                            None => {
                                let row = snapshot.render_row(gid, cov, None, &[], kept);
                                let text = sonic_rs::to_vec(&row)?;
                                cell.get_or_init(|| Box::new(text.into_boxed_slice()))
                            }
                        };
                        out.extend_from_slice(text);
                    }
                    None => json(out, &snapshot.render_row(gid, cov, None, &[], kept))?,
                }
                continue;
            }
            match by_grant.get(gid.0 as usize) {
                Some(cells) => {
                    let cell = &cells[cov as usize];
                    let text = match cell.get() {
                        Some(text) => text,
                        None => {
                            let text = sonic_rs::to_vec(&snapshot.render_holder(gid, cov))?;
                            cell.get_or_init(|| Box::new(text.into_boxed_slice()))
                        }
                    };
                    out.extend_from_slice(text);
                }
                None => json(out, &snapshot.render_holder(gid, cov))?,
            }
        }
        out.extend_from_slice(b"],\"accountable_only\":");
        json(out, &g.accountable_only)?;
        if !g.caveats.is_empty() {
            out.extend_from_slice(b",\"caveats\":");
            json(out, &g.caveats)?;
        }
        out.push(b'}');
        Ok(())
    }
}

fn json<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<(), sonic_rs::Error> {
    sonic_rs::to_writer(&mut *out, value)
}

#[cfg(all(test, feature = "england"))]
mod tests {
    use super::HolderJson;
    use vires_core::{Coverage, Date, Place, Snapshot};

    /// Written from the kept holders, the answer is byte for byte what serde_json writes for
    /// `Snapshot::who`, the first time a holder is cited and every time after, over
    /// practices, bodies and England, with and without a purpose, across the years.
    #[test]
    fn answers_are_serde_jsons_bytes() {
        let import = vires_england::bundled().expect("the bundled register builds");
        let snap = Snapshot::compile(import.register);
        let kept = HolderJson::default();
        let functions: Vec<String> = snap
            .register()
            .taxonomy
            .iter()
            .map(|(_, d)| d.id.clone())
            .collect();
        let mut places: Vec<Place> = snap
            .register()
            .practices
            .iter()
            .step_by(97)
            .map(|a| Place::Practice(a.code.clone()))
            .collect();
        places.extend(
            snap.register()
                .bodies
                .iter()
                .step_by(3)
                .map(|b| Place::Body(b.code.as_str().into())),
        );
        places.extend(
            snap.register()
                .areas
                .iter()
                .map(|a| Place::Area(a.id.as_str().into())),
        );
        places.push(Place::England);
        let dates = [(2014, 6, 1), (2020, 6, 1), (2022, 7, 1), (2024, 4, 1)];
        let (mut with_holders, mut partial) = (0, 0);
        for (i, place) in places.iter().enumerate() {
            for (j, f) in functions
                .iter()
                .enumerate()
                .filter(|(j, _)| (i + j) % 3 == 0)
            {
                let (y, m, d) = dates[(i + j) % dates.len()];
                let on = Date::constant(y, m, d);
                for purpose in [
                    None,
                    Some("routine-commissioning"),
                    Some("coronavirus-support"),
                ] {
                    let want = match snap.who(f, place, on, purpose) {
                        Ok(a) => {
                            with_holders += usize::from(!a.holders.is_empty());
                            partial += usize::from(
                                a.holders.iter().any(|h| h.coverage == Coverage::Partial),
                            );
                            serde_json::to_vec(&a).expect("serde_json writes answers")
                        }
                        Err(_) => {
                            assert!(
                                kept.write_who(&snap, f, place, on, purpose, &mut Vec::new())
                                    .is_err(),
                                "{f} at {place} on {on}: refused by who, not by write_who"
                            );
                            continue;
                        }
                    };
                    for _ in 0..2 {
                        let mut got = Vec::new();
                        kept.write_who(&snap, f, place, on, purpose, &mut got)
                            .expect("written");
                        assert_eq!(
                            String::from_utf8_lossy(&got),
                            String::from_utf8_lossy(&want),
                            "{f} at {place} on {on} for {purpose:?}"
                        );
                    }
                }
            }
        }
        assert!(
            with_holders > 500,
            "only {with_holders} answers had holders"
        );
        assert!(partial > 20, "only {partial} answers had a holder of part of the place ({with_holders} had holders, {} places)", places.len());
    }
}
