//! `target/bench/summary.json`: read, written, and `--set` figures measured elsewhere
//! merged in.

use crate::quick::out_dir;
use serde_json::{json, Map, Value};
use std::path::Path;

pub(crate) fn read_summary(path: &Path) -> Map<String, Value> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| serde_json::from_str::<Value>(&s).ok())
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default()
}

pub(crate) fn write_summary(path: &Path, summary: &Map<String, Value>) -> Result<(), String> {
    let text = serde_json::to_string_pretty(summary)
        .map_err(|e| format!("cannot encode the summary: {e}"))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, text + "\n").map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// `--set key=value ...`: numbers stay numbers, anything else is stored as text.
pub(crate) fn set(pairs: &[String]) -> Result<(), String> {
    let path = out_dir().join("summary.json");
    let mut summary = read_summary(&path);
    for p in pairs {
        let (k, v) = p
            .split_once('=')
            .ok_or_else(|| format!("`{p}` is not KEY=VALUE"))?;
        let value = match v.parse::<f64>() {
            Ok(x) if x.is_finite() => json!(x),
            _ if v == "null" => Value::Null,
            _ => json!(v),
        };
        summary.insert(k.to_string(), value);
    }
    write_summary(&path, &summary)?;
    println!("updated {}", path.display());
    Ok(())
}
