//! The register in SQLite tables (in memory, indexed), and `may` as one recursive query with
//! date filters: the practice's containing bodies on the date (membership, then parent
//! links, recursively), the function and its ancestors (recursively), the live candidate
//! grants under those keys, shadowing by exclusive delegations, the purpose check, and the
//! proof as the chain of parent grants (recursively).
//!
//! Like the Cedar encoding it starts from the compiled grants, so SQLite answers the
//! question without deriving validity; it is measured on the same questions.

use crate::synth::{day_number, Question};
use crate::PeerError;
use rusqlite::{params, Connection, OptionalExtension, ToSql};
use vires_core::snapshot::AreaKey;
use vires_core::{Interval, Snapshot};

/// Far enough in the future to stand for "open-ended".
const OPEN: i64 = 10_000_000;

pub struct SqlitePeer {
    conn: Connection,
}

/// SQLite's answer: allowed, and the instruments from statute down to the holding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteAnswer {
    pub allowed: bool,
    pub proof: Vec<String>,
}

const SCHEMA: &str = "
CREATE TABLE body (id INTEGER PRIMARY KEY, code TEXT NOT NULL, from_day INTEGER NOT NULL, until_day INTEGER NOT NULL);
CREATE INDEX body_code ON body(code);
CREATE TABLE practice (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE);
CREATE TABLE func (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, parent INTEGER);
CREATE TABLE membership (practice INTEGER NOT NULL, body INTEGER NOT NULL, from_day INTEGER NOT NULL, until_day INTEGER NOT NULL);
CREATE INDEX membership_practice ON membership(practice);
CREATE TABLE body_parent (child INTEGER NOT NULL, parent INTEGER NOT NULL, from_day INTEGER NOT NULL, until_day INTEGER NOT NULL);
CREATE INDEX body_parent_child ON body_parent(child);
CREATE TABLE grant_ (id INTEGER PRIMARY KEY, holder INTEGER NOT NULL, function INTEGER NOT NULL,
  from_day INTEGER NOT NULL, until_day INTEGER NOT NULL, parent INTEGER, concurrent INTEGER NOT NULL,
  restricted INTEGER NOT NULL, instrument TEXT NOT NULL);
CREATE INDEX grant_parent ON grant_(parent);
CREATE TABLE grant_area (grant_id INTEGER NOT NULL, kind INTEGER NOT NULL, key INTEGER NOT NULL);
CREATE INDEX grant_area_key ON grant_area(kind, key, grant_id);
CREATE TABLE grant_purpose (grant_id INTEGER NOT NULL, purpose TEXT NOT NULL);
CREATE INDEX grant_purpose_grant ON grant_purpose(grant_id, purpose);
CREATE TABLE grant_except (grant_id INTEGER NOT NULL, function INTEGER NOT NULL);
CREATE INDEX grant_except_grant ON grant_except(grant_id);
";

/// May body :body (code) exercise function :function (id) at practice :practice (code) on day
/// :day for purpose :purpose ('' for none)? Returns the allowing grant, if any. CROSS JOIN
/// fixes the join order (SQLite keeps it as written): from the few area keys of the place to
/// their grants, never a scan of all grants.
const MAY: &str = "
WITH RECURSIVE
  b(id) AS (SELECT id FROM body WHERE code = :body AND from_day <= :day AND :day < until_day LIMIT 1),
  a(id) AS (SELECT id FROM practice WHERE code = :practice),
  fanc(f) AS MATERIALIZED (
    SELECT id FROM func WHERE name = :function
    UNION ALL
    SELECT func.parent FROM func JOIN fanc ON func.id = fanc.f WHERE func.parent IS NOT NULL),
  chain(body) AS (
    SELECT m.body FROM membership m, a WHERE m.practice = a.id AND m.from_day <= :day AND :day < m.until_day
    UNION
    SELECT p.parent FROM body_parent p JOIN chain ON p.child = chain.body
      WHERE p.from_day <= :day AND :day < p.until_day),
  keys(kind, key) AS MATERIALIZED (
    SELECT 0, 0
    UNION ALL SELECT 2, id FROM a
    UNION ALL SELECT 1, body FROM chain),
  cand AS MATERIALIZED (
    SELECT DISTINCT g.id, g.holder, g.parent, g.concurrent, g.restricted
    FROM keys k
    CROSS JOIN grant_area ga ON ga.kind = k.kind AND ga.key = k.key
    CROSS JOIN grant_ g ON g.id = ga.grant_id
    WHERE g.function IN (SELECT f FROM fanc)
      AND g.from_day <= :day AND :day < g.until_day
      AND NOT EXISTS (SELECT 1 FROM grant_except e WHERE e.grant_id = g.id AND e.function IN (SELECT f FROM fanc)))
SELECT c.id FROM cand c, b
WHERE c.holder = b.id
  AND NOT EXISTS (SELECT 1 FROM cand s WHERE s.parent = c.id AND s.concurrent = 0 AND s.restricted = 0)
  AND (c.restricted = 0 OR EXISTS (SELECT 1 FROM grant_purpose gp WHERE gp.grant_id = c.id AND gp.purpose = :purpose))
ORDER BY c.id
LIMIT 1";

/// The proof of a grant: its instrument and its ancestors', statute first.
const PROOF: &str = "
WITH RECURSIVE up(id, parent, instrument, depth) AS (
  SELECT id, parent, instrument, 0 FROM grant_ WHERE id = ?1
  UNION ALL
  SELECT g.id, g.parent, g.instrument, up.depth + 1 FROM grant_ g JOIN up ON g.id = up.parent)
SELECT instrument FROM up ORDER BY depth DESC";

fn db(e: rusqlite::Error) -> PeerError {
    PeerError(format!("SQLite: {e}"))
}

fn until(d: Option<vires_core::Date>) -> i64 {
    d.map(day_number).unwrap_or(OPEN)
}

/// Inserts rows of two values and the days `[from, until)` of an interval into `table`:
/// bodies (id, code), memberships (practice, body) and body parents (child, parent).
fn insert_dated<A: ToSql, B: ToSql>(
    tx: &Connection,
    table: &str,
    rows: impl Iterator<Item = (A, B, Interval)>,
) -> Result<(), PeerError> {
    let mut ins = tx
        .prepare(&format!("INSERT INTO {table} VALUES (?1, ?2, ?3, ?4)"))
        .map_err(db)?;
    for (a, b, during) in rows {
        ins.execute(params![a, b, day_number(during.from), until(during.until)])
            .map_err(db)?;
    }
    Ok(())
}

impl SqlitePeer {
    /// Loads a compiled register into an in-memory database.
    pub fn load(snap: &Snapshot) -> Result<SqlitePeer, PeerError> {
        let mut conn = Connection::open_in_memory().map_err(db)?;
        conn.execute_batch(SCHEMA).map_err(db)?;
        let reg = snap.register();
        let tx = conn.transaction().map_err(db)?;
        {
            let bodies = reg.bodies.iter().enumerate();
            insert_dated(
                &tx,
                "body",
                bodies.map(|(i, b)| (i as i64, b.code.as_str(), b.life)),
            )?;
            let mut ins = tx
                .prepare("INSERT INTO practice VALUES (?1, ?2)")
                .map_err(db)?;
            for (i, a) in reg.practices.iter().enumerate() {
                ins.execute(params![i as i64, a.code.as_str()])
                    .map_err(db)?;
            }
            let mut ins = tx
                .prepare("INSERT INTO func VALUES (?1, ?2, ?3)")
                .map_err(db)?;
            for (f, def) in reg.taxonomy.iter() {
                ins.execute(params![
                    f.0 as i64,
                    def.id,
                    reg.taxonomy.parent(f).map(|p| p.0 as i64)
                ])
                .map_err(db)?;
            }
            let memberships = reg.memberships.iter();
            insert_dated(
                &tx,
                "membership",
                memberships.map(|m| (m.practice.0 as i64, m.body.0 as i64, m.during)),
            )?;
            let parents = reg.parents.iter();
            insert_dated(
                &tx,
                "body_parent",
                parents.map(|p| (p.child.0 as i64, p.parent.0 as i64, p.during)),
            )?;
            let mut grant = tx
                .prepare("INSERT INTO grant_ VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
                .map_err(db)?;
            let mut area = tx
                .prepare("INSERT INTO grant_area VALUES (?1, ?2, ?3)")
                .map_err(db)?;
            let mut purpose = tx
                .prepare("INSERT INTO grant_purpose VALUES (?1, ?2)")
                .map_err(db)?;
            let mut except = tx
                .prepare("INSERT INTO grant_except VALUES (?1, ?2)")
                .map_err(db)?;
            for (gid, g) in snap.grants.iter().enumerate() {
                let gid = gid as i64;
                grant
                    .execute(params![
                        gid,
                        g.holder.0 as i64,
                        g.function.0 as i64,
                        day_number(g.during.from),
                        until(g.during.until),
                        g.parent.get().map(|p| p.0 as i64),
                        g.concurrent as i64,
                        (g.purposes != 0) as i64,
                        reg.instruments[g.instrument.0 as usize].id.as_str(),
                    ])
                    .map_err(db)?;
                for k in snap.areas(g) {
                    let (kind, key) = match k {
                        AreaKey::England => (0, 0),
                        AreaKey::Body(b) => (1, b.0 as i64),
                        AreaKey::Practice(a) => (2, a.0 as i64),
                    };
                    area.execute(params![gid, kind, key]).map_err(db)?;
                }
                for p in snap.purposes(g) {
                    purpose.execute(params![gid, p]).map_err(db)?;
                }
                for x in snap.excluded(g) {
                    except.execute(params![gid, x.0 as i64]).map_err(db)?;
                }
            }
        }
        tx.commit().map_err(db)?;
        conn.execute_batch("ANALYZE").map_err(db)?;
        Ok(SqlitePeer { conn })
    }

    /// May the question's body exercise its function at its practice on its date?
    /// Statements are prepared once and cached, as an application would.
    pub fn may(&self, q: &Question) -> Result<SqliteAnswer, PeerError> {
        let mut stmt = self.conn.prepare_cached(MAY).map_err(db)?;
        let found: Option<i64> = stmt
            .query_row(
                rusqlite::named_params! {
                    ":body": q.body,
                    ":practice": q.practice,
                    ":function": q.function,
                    ":day": day_number(q.on),
                    ":purpose": q.purpose.as_deref().unwrap_or(""),
                },
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        let Some(gid) = found else {
            return Ok(SqliteAnswer {
                allowed: false,
                proof: Vec::new(),
            });
        };
        let mut stmt = self.conn.prepare_cached(PROOF).map_err(db)?;
        let proof = stmt
            .query_map([gid], |r| r.get::<_, String>(0))
            .map_err(db)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(db)?;
        Ok(SqliteAnswer {
            allowed: true,
            proof,
        })
    }
}
