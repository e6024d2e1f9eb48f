//! The PostgreSQL engine, for several server instances sharing one register.
//!
//! Every write transaction first takes one transaction-scoped advisory lock, so writers
//! queue in commit order: the stale check reads the committed head, and a reader can
//! never see entry n+1 without entry n. An append sends `NOTIFY vires_register` inside
//! its transaction, delivered only on commit; each handle's watcher thread LISTENs on its
//! own connection and also polls the head every second, so a notification lost to a
//! dropped connection delays an update by at most that second.

use crate::engine::{Engine, Migration, Row, Tx, Val, POSTGRES_MIGRATIONS};
use crate::error::StoreError;
use crate::model::Revision;
use crate::notify::Hub;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{ToSql, Type};
use postgres::{Client, GenericClient, NoTls};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The channel every instance listens on.
pub(crate) const CHANNEL: &str = "vires_register";
/// The advisory lock key that serialises writers ("vires" in ASCII).
const WRITE_LOCK: i64 = 0x0076_6972_6573;
/// How long the watcher waits for a notification before polling the head itself.
const POLL_EVERY: Duration = Duration::from_secs(1);

pub(crate) struct PgEngine {
    url: String,
    client: Mutex<Option<Client>>,
}

/// How long to wait for a connection when the URL does not say (`connect_timeout=`);
/// without a limit an unreachable server would hang the caller indefinitely.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

fn connect(url: &str) -> Result<Client, StoreError> {
    let mut config: postgres::Config = url.parse().map_err(|e| {
        StoreError::Postgres(format!(
            "cannot read the PostgreSQL URL {}: {e}",
            redact(url)
        ))
    })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    config.connect(NoTls).map_err(|e| {
        let detail = match StoreError::from(e) {
            StoreError::Postgres(s) => s,
            other => other.to_string(),
        };
        StoreError::Postgres(format!(
            "cannot connect to {}: {detail}; check the server is running and the URL is right",
            redact(url)
        ))
    })
}

/// The URL without its password, for error messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl PgEngine {
    pub(crate) fn open(url: &str) -> Result<Self, StoreError> {
        let client = connect(url)?;
        Ok(PgEngine {
            url: url.to_string(),
            client: Mutex::new(Some(client)),
        })
    }

    /// Runs `f` on a live connection, reconnecting first if the last one was lost.
    fn with_client<R>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let mut guard = self.client.lock().unwrap_or_else(|p| p.into_inner());
        if guard.as_ref().is_none_or(|c| c.is_closed()) {
            *guard = Some(connect(&self.url)?);
        }
        match guard.as_mut() {
            Some(client) => f(client),
            None => Err(StoreError::Postgres("no connection".into())),
        }
    }
}

/// Turns `?` placeholders into PostgreSQL's `$1, $2, ...`.
fn number_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

fn params(vals: &[Val]) -> Vec<Box<dyn ToSql + Sync>> {
    vals.iter()
        .map(|v| -> Box<dyn ToSql + Sync> {
            match v {
                Val::Int(i) => Box::new(*i),
                Val::Text(s) => Box::new(s.clone()),
                Val::NullInt => Box::new(None::<i64>),
                Val::NullText => Box::new(None::<String>),
            }
        })
        .collect()
}

fn read_row(row: &postgres::Row) -> Result<Row, StoreError> {
    let mut out = Vec::with_capacity(row.len());
    for (i, col) in row.columns().iter().enumerate() {
        let t = col.type_();
        let v = if *t == Type::INT8 {
            row.try_get::<_, Option<i64>>(i)?
                .map_or(Val::NullInt, Val::Int)
        } else if *t == Type::INT4 {
            row.try_get::<_, Option<i32>>(i)?
                .map_or(Val::NullInt, |x| Val::Int(x.into()))
        } else if *t == Type::INT2 {
            row.try_get::<_, Option<i16>>(i)?
                .map_or(Val::NullInt, |x| Val::Int(x.into()))
        } else if *t == Type::BOOL {
            row.try_get::<_, Option<bool>>(i)?
                .map_or(Val::NullInt, |x| Val::Int(x.into()))
        } else if *t == Type::VOID {
            Val::NullText
        } else {
            row.try_get::<_, Option<String>>(i)?
                .map_or(Val::NullText, Val::Text)
        };
        out.push(v);
    }
    Ok(out)
}

struct PgTx<'a, C: GenericClient>(&'a mut C);

impl<C: GenericClient> Tx for PgTx<'_, C> {
    fn query(&mut self, sql: &str, vals: &[Val]) -> Result<Vec<Row>, StoreError> {
        let boxed = params(vals);
        let refs: Vec<&(dyn ToSql + Sync)> = boxed.iter().map(|b| b.as_ref()).collect();
        let rows = self.0.query(number_placeholders(sql).as_str(), &refs)?;
        rows.iter().map(read_row).collect()
    }

    fn execute(&mut self, sql: &str, vals: &[Val]) -> Result<u64, StoreError> {
        let boxed = params(vals);
        let refs: Vec<&(dyn ToSql + Sync)> = boxed.iter().map(|b| b.as_ref()).collect();
        Ok(self.0.execute(number_placeholders(sql).as_str(), &refs)?)
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        Ok(self.0.batch_execute(sql)?)
    }
}

impl Engine for PgEngine {
    fn backend(&self) -> crate::Backend {
        crate::Backend::Postgres
    }

    fn write<R>(
        &self,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        self.with_client(|client| {
            let mut tx = client.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])?;
            // Dropping `tx` on an error rolls it back.
            let out = f(&mut PgTx(&mut tx))?;
            tx.commit()?;
            Ok(out)
        })
    }

    fn read<R>(
        &self,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        self.with_client(|client| f(&mut PgTx(client)))
    }

    fn migrations(&self) -> &'static [Migration] {
        POSTGRES_MIGRATIONS
    }

    fn after_append(&self, tx: &mut dyn Tx, seq: i64) -> Result<(), StoreError> {
        tx.execute(
            "SELECT pg_notify(?, ?)",
            &[Val::Text(CHANNEL.into()), Val::Text(seq.to_string())],
        )?;
        Ok(())
    }

    fn spawn_watcher(&self, hub: Arc<Hub>, stop: Arc<AtomicBool>) -> Result<(), StoreError> {
        let url = self.url.clone();
        // Connect before returning, so a subscriber is listening once subscribe() returns.
        let first = listen(&url)?;
        std::thread::Builder::new()
            .name("vires-store-pg-listen".into())
            .spawn(move || watch(url, first, hub, stop))?;
        Ok(())
    }
}

/// What the server's own role needs, and nothing more: it reads everything, appends to the
/// log and its checkpoints (never updates, deletes or truncates them), and keeps proposals,
/// drafts, users, tokens and sessions. It owns nothing, so it cannot alter the tables or
/// disable their triggers. `{role}` is a quoted identifier.
const APP_GRANTS: &str = "
    GRANT USAGE ON SCHEMA public TO {role};
    GRANT SELECT ON schema_migrations, change_log_readable TO {role};
    GRANT SELECT, INSERT ON change_log, log_checkpoints TO {role};
    GRANT SELECT, INSERT, UPDATE ON proposals, drafts, users, api_tokens TO {role};
    GRANT SELECT, INSERT, DELETE ON sessions TO {role};
";

/// Grants `role` what the server needs on the schema at `url` ([`APP_GRANTS`]).
pub(crate) fn grant_app_role(url: &str, role: &str) -> Result<(), StoreError> {
    let ok = role
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && role
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && role.len() <= 63;
    if !ok {
        return Err(StoreError::Grant(format!(
            "{role:?} is not a role name vires grants to: use lower-case letters, digits and _ (at most 63)"
        )));
    }
    let mut client = connect(url)?;
    let mut tx = client.transaction()?;
    tx.batch_execute(&APP_GRANTS.replace("{role}", &format!("\"{role}\"")))?;
    tx.commit()?;
    Ok(())
}

fn listen(url: &str) -> Result<Client, StoreError> {
    let mut client = connect(url)?;
    client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
    Ok(client)
}

fn head(client: &mut Client) -> Result<Revision, StoreError> {
    let row = client.query_one("SELECT COALESCE(MAX(seq), 0) FROM change_log", &[])?;
    let seq: i64 = row.try_get(0)?;
    Ok(Revision(seq.max(0) as u64))
}

fn watch(url: String, first: Client, hub: Arc<Hub>, stop: Arc<AtomicBool>) {
    let mut client = Some(first);
    let mut last_poll = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        let Some(c) = client.as_mut().filter(|c| !c.is_closed()) else {
            // Reconnect, then read the head: notifications sent while disconnected are lost.
            std::thread::sleep(Duration::from_millis(500));
            client = listen(&url).ok();
            if let Some(c) = client.as_mut() {
                if let Ok(rev) = head(c) {
                    hub.publish(rev);
                }
            }
            continue;
        };
        // Short waits so that dropping the store stops the thread promptly.
        let got = c
            .notifications()
            .timeout_iter(Duration::from_millis(250))
            .next();
        match got {
            Ok(Some(n)) => {
                if let Ok(seq) = n.payload().parse::<u64>() {
                    hub.publish(Revision(seq));
                }
            }
            Ok(None) => {}
            Err(_) => client = None,
        }
        if last_poll.elapsed() >= POLL_EVERY {
            last_poll = Instant::now();
            if let Some(c) = client.as_mut() {
                match head(c) {
                    Ok(rev) => hub.publish(rev),
                    Err(_) => client = None,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        assert_eq!(
            number_placeholders("SELECT a FROM t WHERE b = ? AND c > ?"),
            "SELECT a FROM t WHERE b = $1 AND c > $2"
        );
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://vires:secret@db:5432/vires"),
            "postgres://vires:***@db:5432/vires"
        );
        assert_eq!(
            redact("postgres://vires@db/vires"),
            "postgres://vires@db/vires"
        );
    }
}
