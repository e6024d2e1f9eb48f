//! Users, API tokens and browser sessions.

use super::rows::{int_at, text_at, timestamp};
use super::SqlStore;
use crate::engine::{Engine, Row, Tx, Val};
use crate::error::StoreError;
use crate::model::{
    NewSession, NewToken, Role, Session, SessionOrigin, SessionSummary, TokenInfo, User,
};
use crate::secrets;
use jiff::SignedDuration;

/// The columns [`user_from`] reads, in its order, for table alias `u`.
const USER_COLUMNS: &str = "u.name, u.role, u.created_at_us, u.disabled_at_us";

fn user_from(row: &Row, offset: usize) -> Result<User, StoreError> {
    let role_text = text_at(row, offset + 1);
    Ok(User {
        name: text_at(row, offset),
        role: Role::parse(&role_text).ok_or(StoreError::BadRole(role_text))?,
        created_at: timestamp(int_at(row, offset + 2, "created_at_us")?)?,
        disabled_at: row
            .get(offset + 3)
            .and_then(Val::int)
            .map(timestamp)
            .transpose()?,
    })
}

const SESSION_COLUMNS: &str =
    "s.handle, s.user_name, s.origin, s.token_id, s.created_at_us, s.expires_at_us";

fn session_summary(row: &Row) -> Result<SessionSummary, StoreError> {
    let origin = match (text_at(row, 2).as_str(), row.get(3).and_then(Val::text)) {
        ("token", Some(id)) => SessionOrigin::Token {
            token_id: id.to_string(),
        },
        ("oidc", _) => SessionOrigin::Oidc,
        (other, _) => {
            return Err(StoreError::Unexpected(format!(
                "session origin {other:?} is not token or oidc"
            )))
        }
    };
    Ok(SessionSummary {
        handle: text_at(row, 0),
        user: text_at(row, 1),
        origin,
        created_at: timestamp(int_at(row, 4, "created_at_us")?)?,
        expires_at: timestamp(int_at(row, 5, "expires_at_us")?)?,
    })
}

fn token_from(row: &Row) -> Result<TokenInfo, StoreError> {
    Ok(TokenInfo {
        id: text_at(row, 0),
        user: text_at(row, 1),
        label: text_at(row, 2),
        created_at: timestamp(int_at(row, 3, "created_at_us")?)?,
        revoked_at: row.get(4).and_then(Val::int).map(timestamp).transpose()?,
    })
}

fn find_user(tx: &mut dyn Tx, name: &str) -> Result<Option<User>, StoreError> {
    let rows = tx.query(
        &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.name = ?"),
        &[Val::Text(name.into())],
    )?;
    rows.first().map(|r| user_from(r, 0)).transpose()
}

pub(super) fn create_user<E: Engine>(
    store: &SqlStore<E>,
    name: &str,
    role: Role,
) -> Result<User, StoreError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::UnknownUser(String::new()));
    }
    let now = store.now_us();
    store.engine.write(&mut |tx| {
        if find_user(tx, name)?.is_some() {
            return Err(StoreError::UserExists(name.to_string()));
        }
        tx.execute(
            "INSERT INTO users (name, role, created_at_us) VALUES (?, ?, ?)",
            &[
                Val::Text(name.into()),
                Val::Text(role.as_str().into()),
                Val::Int(now),
            ],
        )?;
        Ok(User {
            name: name.to_string(),
            role,
            created_at: timestamp(now)?,
            disabled_at: None,
        })
    })
}

pub(super) fn set_role<E: Engine>(
    store: &SqlStore<E>,
    name: &str,
    role: Role,
) -> Result<User, StoreError> {
    store.engine.write(&mut |tx| {
        let n = tx.execute(
            "UPDATE users SET role = ? WHERE name = ?",
            &[Val::Text(role.as_str().into()), Val::Text(name.into())],
        )?;
        if n == 0 {
            return Err(StoreError::UnknownUser(name.to_string()));
        }
        find_user(tx, name)?.ok_or_else(|| StoreError::UnknownUser(name.to_string()))
    })
}

pub(super) fn user<E: Engine>(store: &SqlStore<E>, name: &str) -> Result<Option<User>, StoreError> {
    store.engine.read(&mut |tx| find_user(tx, name))
}

pub(super) fn users<E: Engine>(store: &SqlStore<E>) -> Result<Vec<User>, StoreError> {
    let rows = store.engine.read(&mut |tx| {
        tx.query(
            &format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.name"),
            &[],
        )
    })?;
    rows.iter().map(|r| user_from(r, 0)).collect()
}

pub(super) fn set_disabled<E: Engine>(
    store: &SqlStore<E>,
    name: &str,
    disabled: bool,
) -> Result<User, StoreError> {
    let now = store.now_us();
    store.engine.write(&mut |tx| {
        // Disabling again keeps the first moment it was disabled.
        let n = if disabled {
            tx.execute(
                "UPDATE users SET disabled_at_us = COALESCE(disabled_at_us, ?) WHERE name = ?",
                &[Val::Int(now), Val::Text(name.into())],
            )?
        } else {
            tx.execute(
                "UPDATE users SET disabled_at_us = NULL WHERE name = ?",
                &[Val::Text(name.into())],
            )?
        };
        if n == 0 {
            return Err(StoreError::UnknownUser(name.to_string()));
        }
        if disabled {
            tx.execute(
                "DELETE FROM sessions WHERE user_name = ?",
                &[Val::Text(name.into())],
            )?;
        }
        find_user(tx, name)?.ok_or_else(|| StoreError::UnknownUser(name.to_string()))
    })
}

pub(super) fn oidc_user<E: Engine>(
    store: &SqlStore<E>,
    subject: &str,
    name: &str,
    role: Role,
) -> Result<User, StoreError> {
    let name = name.trim();
    if name.is_empty() || subject.is_empty() {
        return Err(StoreError::UnknownUser(name.to_string()));
    }
    let now = store.now_us();
    store.engine.write(&mut |tx| {
        let bound = tx.query(
            "SELECT name FROM users WHERE oidc_subject = ?",
            &[Val::Text(subject.into())],
        )?;
        let user_name = match bound.first() {
            Some(r) => text_at(r, 0),
            None => {
                let named = tx.query(
                    "SELECT oidc_subject FROM users WHERE name = ?",
                    &[Val::Text(name.into())],
                )?;
                match named.first() {
                    Some(r) if r.first().and_then(Val::text).is_some() => {
                        return Err(StoreError::UserExists(name.to_string()))
                    }
                    Some(_) => {
                        tx.execute(
                            "UPDATE users SET oidc_subject = ? WHERE name = ?",
                            &[Val::Text(subject.into()), Val::Text(name.into())],
                        )?;
                    }
                    None => {
                        tx.execute(
                            "INSERT INTO users (name, role, created_at_us, oidc_subject) VALUES (?, ?, ?, ?)",
                            &[
                                Val::Text(name.into()),
                                Val::Text(role.as_str().into()),
                                Val::Int(now),
                                Val::Text(subject.into()),
                            ],
                        )?;
                    }
                }
                name.to_string()
            }
        };
        tx.execute(
            "UPDATE users SET role = ? WHERE name = ?",
            &[Val::Text(role.as_str().into()), Val::Text(user_name.clone())],
        )?;
        find_user(tx, &user_name)?.ok_or(StoreError::UnknownUser(user_name.clone()))
    })
}

pub(super) fn create_token<E: Engine>(
    store: &SqlStore<E>,
    user: &str,
    label: &str,
) -> Result<NewToken, StoreError> {
    let id = secrets::random_hex(8)?;
    let secret = secrets::random_hex(32)?;
    // Hash before taking the write lock: argon2 is deliberately slow.
    let hash = secrets::argon2_hash(&secret)?;
    let now = store.now_us();
    let info = store.engine.write(&mut |tx| {
        if find_user(tx, user)?.is_none() {
            return Err(StoreError::UnknownUser(user.to_string()));
        }
        tx.execute(
            "INSERT INTO api_tokens (id, user_name, label, token_hash, created_at_us) VALUES (?, ?, ?, ?, ?)",
            &[
                Val::Text(id.clone()),
                Val::Text(user.into()),
                Val::Text(label.into()),
                Val::Text(hash.clone()),
                Val::Int(now),
            ],
        )?;
        Ok(TokenInfo {
            id: id.clone(),
            user: user.to_string(),
            label: label.to_string(),
            created_at: timestamp(now)?,
            revoked_at: None,
        })
    })?;
    Ok(NewToken {
        token: format!("{}{id}.{secret}", secrets::TOKEN_PREFIX),
        info,
    })
}

pub(super) fn authenticate_token<E: Engine>(
    store: &SqlStore<E>,
    token: &str,
) -> Result<Option<User>, StoreError> {
    let (id, secret) = secrets::split_token(token).unwrap_or(("", token));
    let found = if id.is_empty() {
        None
    } else {
        store.engine.read(&mut |tx| {
            let rows = tx.query(
                &format!(
                    "SELECT t.token_hash, t.revoked_at_us, {USER_COLUMNS}
                     FROM api_tokens t JOIN users u ON u.name = t.user_name WHERE t.id = ?"
                ),
                &[Val::Text(id.into())],
            )?;
            rows.first()
                .map(|r| -> Result<_, StoreError> {
                    let revoked = r.get(1).and_then(Val::int).is_some();
                    Ok((text_at(r, 0), revoked, user_from(r, 2)?))
                })
                .transpose()
        })?
    };
    // Exactly one argon2 verification whatever was found, so that neither the time nor
    // the memory taken tells an unknown id from a known one with a wrong secret.
    let (hash, usable, user) = match found {
        Some((hash, revoked, user)) => {
            let usable = !revoked && user.disabled_at.is_none();
            (hash, usable, Some(user))
        }
        None => (secrets::decoy_hash().to_string(), false, None),
    };
    let matches = secrets::argon2_verify(secret, &hash);
    Ok(user.filter(|_| matches && usable))
}

pub(super) fn revoke_token<E: Engine>(store: &SqlStore<E>, id: &str) -> Result<(), StoreError> {
    let now = store.now_us();
    store.engine.write(&mut |tx| {
        let exists = !tx
            .query(
                "SELECT id FROM api_tokens WHERE id = ?",
                &[Val::Text(id.into())],
            )?
            .is_empty();
        if !exists {
            return Err(StoreError::UnknownToken(id.to_string()));
        }
        tx.execute(
            "UPDATE api_tokens SET revoked_at_us = ? WHERE id = ? AND revoked_at_us IS NULL",
            &[Val::Int(now), Val::Text(id.into())],
        )?;
        tx.execute(
            "DELETE FROM sessions WHERE token_id = ?",
            &[Val::Text(id.into())],
        )?;
        Ok(())
    })
}

pub(super) fn tokens<E: Engine>(
    store: &SqlStore<E>,
    user: Option<&str>,
) -> Result<Vec<TokenInfo>, StoreError> {
    let rows = store.engine.read(&mut |tx| match user {
        Some(u) => tx.query(
            "SELECT id, user_name, label, created_at_us, revoked_at_us FROM api_tokens
             WHERE user_name = ? ORDER BY created_at_us, id",
            &[Val::Text(u.into())],
        ),
        None => tx.query(
            "SELECT id, user_name, label, created_at_us, revoked_at_us FROM api_tokens
             ORDER BY user_name, created_at_us, id",
            &[],
        ),
    })?;
    rows.iter().map(token_from).collect()
}

pub(super) fn create_session<E: Engine>(
    store: &SqlStore<E>,
    user: &str,
    ttl: SignedDuration,
    origin: &SessionOrigin,
) -> Result<NewSession, StoreError> {
    let id = secrets::random_hex(32)?;
    let csrf = secrets::random_hex(32)?;
    let handle = secrets::random_hex(8)?;
    let (origin_name, token_id) = match origin {
        SessionOrigin::Token { token_id } => ("token", Val::Text(token_id.clone())),
        SessionOrigin::Oidc => ("oidc", Val::NullText),
    };
    let now = store.clock.now();
    let expires_at = now
        .checked_add(ttl)
        .map_err(|e| StoreError::Json(format!("session lifetime {ttl} is out of range: {e}")))?;
    let id_hash = secrets::sha256_hex(&id);
    let session = store.engine.write(&mut |tx| {
        let u = find_user(tx, user)?
            .filter(|u| u.disabled_at.is_none())
            .ok_or_else(|| StoreError::UnknownUser(user.to_string()))?;
        tx.execute(
            "INSERT INTO sessions (id_hash, handle, user_name, csrf, origin, token_id, created_at_us, expires_at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            &[
                Val::Text(id_hash.clone()),
                Val::Text(handle.clone()),
                Val::Text(u.name.clone()),
                Val::Text(csrf.clone()),
                Val::Text(origin_name.into()),
                token_id.clone(),
                Val::Int(now.as_microsecond()),
                Val::Int(expires_at.as_microsecond()),
            ],
        )?;
        Ok(Session {
            user: u,
            csrf: csrf.clone(),
            expires_at,
            handle: handle.clone(),
        })
    })?;
    Ok(NewSession { id, session })
}

pub(super) fn session<E: Engine>(
    store: &SqlStore<E>,
    id: &str,
) -> Result<Option<Session>, StoreError> {
    let id_hash = secrets::sha256_hex(id.trim());
    let now = store.now_us();
    store.engine.read(&mut |tx| {
        // Revoking the token and disabling the user also delete the session rows; the
        // conditions here hold even for a row another process has yet to delete.
        let rows = tx.query(
            &format!(
                "SELECT s.csrf, s.expires_at_us, s.handle, {USER_COLUMNS}
                 FROM sessions s JOIN users u ON u.name = s.user_name
                 WHERE s.id_hash = ? AND s.expires_at_us > ? AND u.disabled_at_us IS NULL
                   AND (s.token_id IS NULL OR EXISTS (SELECT 1 FROM api_tokens t
                        WHERE t.id = s.token_id AND t.revoked_at_us IS NULL))"
            ),
            &[Val::Text(id_hash.clone()), Val::Int(now)],
        )?;
        rows.first()
            .map(|r| -> Result<Session, StoreError> {
                Ok(Session {
                    csrf: text_at(r, 0),
                    expires_at: timestamp(int_at(r, 1, "expires_at_us")?)?,
                    handle: text_at(r, 2),
                    user: user_from(r, 3)?,
                })
            })
            .transpose()
    })
}

pub(super) fn delete_session<E: Engine>(store: &SqlStore<E>, id: &str) -> Result<(), StoreError> {
    let id_hash = secrets::sha256_hex(id.trim());
    store.engine.write(&mut |tx| {
        tx.execute(
            "DELETE FROM sessions WHERE id_hash = ?",
            &[Val::Text(id_hash.clone())],
        )?;
        Ok(())
    })
}

pub(super) fn sessions<E: Engine>(
    store: &SqlStore<E>,
    user: Option<&str>,
) -> Result<Vec<SessionSummary>, StoreError> {
    let rows = store.engine.read(&mut |tx| match user {
        Some(u) => tx.query(
            &format!(
                "SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.user_name = ?
                 ORDER BY s.created_at_us DESC, s.handle"
            ),
            &[Val::Text(u.into())],
        ),
        None => tx.query(
            &format!(
                "SELECT {SESSION_COLUMNS} FROM sessions s
                 ORDER BY s.created_at_us DESC, s.handle"
            ),
            &[],
        ),
    })?;
    rows.iter().map(session_summary).collect()
}

pub(super) fn end_session<E: Engine>(
    store: &SqlStore<E>,
    handle: &str,
    owner: Option<&str>,
) -> Result<bool, StoreError> {
    let n = store.engine.write(&mut |tx| match owner {
        Some(o) => tx.execute(
            "DELETE FROM sessions WHERE handle = ? AND user_name = ?",
            &[Val::Text(handle.into()), Val::Text(o.into())],
        ),
        None => tx.execute(
            "DELETE FROM sessions WHERE handle = ?",
            &[Val::Text(handle.into())],
        ),
    })?;
    Ok(n > 0)
}

pub(super) fn purge_expired_sessions<E: Engine>(store: &SqlStore<E>) -> Result<u64, StoreError> {
    let now = store.now_us();
    store.engine.write(&mut |tx| {
        tx.execute(
            "DELETE FROM sessions WHERE expires_at_us <= ?",
            &[Val::Int(now)],
        )
    })
}
