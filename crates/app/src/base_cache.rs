//! The base register kept on disk between runs. Building the England register from its CSV
//! extracts is most of a short command's time; reading a copy of the built register back is
//! a small part of it.
//!
//! One file per base in the cache folder. Layout (integers little-endian):
//!
//! | bytes | what |
//! |---|---|
//! | 8 | `VIRESREG` |
//! | 32 | SHA-256 of everything after it |
//! | 4 | length of the key |
//! | n | the key (UTF-8) |
//! | rest | the register's image (JSON) |
//!
//! The key names the image's format, the binary (its version, and the executable's size and
//! modification time, so a rebuilt binary never reads what another build wrote) and the
//! base's fingerprint (so changed data makes a new image). A file with another key is
//! rebuilt; a file that does not check out (truncated, altered, unreadable) is rebuilt with
//! a note saying why. Nothing in the file is used before its checksum and its key match.
//!
//! The image is JSON because the domain types leave out empty fields when serialised (their
//! JSON is the API's contract), which only a self-describing format reads back.

use crate::base::{Base, BaseRegister, Stage};
use crate::AppError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use vires_core::function::FunctionDef;
use vires_core::instrument::FieldSpans;
use vires_core::{
    Body, BodyId, CoverageRow, Instrument, Interval, Power, Practice, PracticeId, Register, Span,
    Succession, UnknownMembership,
};

const MAGIC: &[u8; 8] = b"VIRESREG";
/// The image's layout; bump it when [`Image`] changes.
const FORMAT: u32 = 2;
const HEAD: usize = MAGIC.len() + 32 + 4;

/// The folder the images are kept in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    pub dir: PathBuf,
}

impl Cache {
    /// `VIRES_CACHE_DIR` if set, else the platform's cache folder for vires
    /// (`$XDG_CACHE_HOME/vires` or `~/.cache/vires` on Linux, `~/Library/Caches/vires` on
    /// macOS, `%LOCALAPPDATA%\vires\cache` on Windows); `None` when there is neither.
    pub fn here() -> Option<Cache> {
        if let Some(dir) = std::env::var_os("VIRES_CACHE_DIR").filter(|d| !d.is_empty()) {
            return Some(Cache { dir: dir.into() });
        }
        directories::ProjectDirs::from("", "", "vires").map(|p| Cache {
            dir: p.cache_dir().to_path_buf(),
        })
    }

    /// The file that holds `base`'s image (none for the empty base, which costs nothing).
    pub fn file(&self, base: &Base) -> Option<PathBuf> {
        let name = match base {
            Base::England => "england.register".to_string(),
            // One file per folder, named by a digest of its path.
            Base::OdsDir(dir) => format!(
                "ods-{}.register",
                &hex::encode(Sha256::digest(dir.display().to_string().as_bytes()))[..16]
            ),
            Base::Empty => return None,
        };
        Some(self.dir.join(name))
    }
}

/// Where the register came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Read from the cache.
    Cache,
    /// Built, with no usable image (none yet, or one for another binary or other data).
    Built,
    /// Built, because the image was damaged (why).
    Rebuilt(String),
}

/// The base register from the cache when it holds a sound image of it, else built (and the
/// image written for next time). `note` receives anything the user should know (a damaged
/// image, an image that could not be written); none of it changes the answer.
pub fn build(
    base: &Base,
    cache: Option<&Cache>,
    progress: &mut dyn FnMut(Stage),
    note: &mut dyn FnMut(String),
) -> Result<(BaseRegister, Origin), AppError> {
    let fingerprint = crate::base::fingerprint(base)?;
    let place = cache.and_then(|c| c.file(base)).zip(binary_stamp());
    let Some((path, stamp)) = place else {
        let register = crate::base::build_register(base, progress)?;
        return Ok((
            BaseRegister {
                register,
                fingerprint,
            },
            Origin::Built,
        ));
    };
    let key = format!("format {FORMAT}; vires {stamp}; base {fingerprint}");
    let origin = match read(&path, &key) {
        Ok(register) => {
            return Ok((
                BaseRegister {
                    register,
                    fingerprint,
                },
                Origin::Cache,
            ))
        }
        Err(Unusable::Missing | Unusable::OtherKey) => Origin::Built,
        Err(Unusable::Damaged(why)) => {
            note(format!(
                "the register cache {} is damaged ({why}); rebuilding it",
                path.display()
            ));
            Origin::Rebuilt(why)
        }
    };
    let register = crate::base::build_register(base, progress)?;
    if let Err(e) = write(&path, &key, &register) {
        note(format!(
            "could not keep the register in the cache {}: {e} (answers are not affected)",
            path.display()
        ));
    }
    Ok((
        BaseRegister {
            register,
            fingerprint,
        },
        origin,
    ))
}

/// The running binary: its version, and its executable's size and modification time.
/// `None` when the executable cannot be found, and then nothing is cached: without it an
/// image written by another build of the same version could be read.
fn binary_stamp() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(exe).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!(
        "{} {}-{}",
        env!("CARGO_PKG_VERSION"),
        meta.len(),
        modified.as_nanos()
    ))
}

enum Unusable {
    Missing,
    OtherKey,
    Damaged(String),
}

fn read(path: &Path, key: &str) -> Result<Register, Unusable> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Unusable::Missing),
        Err(e) => return Err(Unusable::Damaged(format!("cannot read it: {e}"))),
    };
    let damaged = |why: &str| Unusable::Damaged(why.to_string());
    if bytes.len() < HEAD {
        return Err(damaged("too short"));
    }
    let (magic, rest) = bytes.split_at(MAGIC.len());
    if magic != MAGIC {
        return Err(damaged("not a vires register cache"));
    }
    let (sum, body) = rest.split_at(32);
    if Sha256::digest(body).as_slice() != sum {
        return Err(damaged("checksum mismatch: truncated or altered"));
    }
    let (len, body) = body.split_at(4);
    let len = <[u8; 4]>::try_from(len).map_or(usize::MAX, |b| u32::from_le_bytes(b) as usize);
    let (found, payload) = body
        .split_at_checked(len)
        .ok_or_else(|| damaged("key longer than the file"))?;
    if found != key.as_bytes() {
        return Err(Unusable::OtherKey);
    }
    let image: Image = serde_json::from_slice(payload)
        .map_err(|e| Unusable::Damaged(format!("unreadable image: {e}")))?;
    image.into_register().map_err(Unusable::Damaged)
}

fn write(path: &Path, key: &str, register: &Register) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let key_len = u32::try_from(key.len()).map_err(std::io::Error::other)?;
    let mut body = Vec::new();
    body.extend_from_slice(&key_len.to_le_bytes());
    body.extend_from_slice(key.as_bytes());
    serde_json::to_writer(&mut body, &Image::of(register))?;
    let sum = Sha256::digest(&body);
    // Written aside and renamed into place, so a reader never sees half a file and two
    // writers at once leave one whole image.
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(MAGIC)?;
    file.write_all(&sum)?;
    file.write_all(&body)?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Everything a [`Register`] holds, in the order it was added, with the source spans that
/// the domain types' own serialisation leaves out. Its indexes are rebuilt on reading.
#[derive(Serialize, Deserialize)]
struct Image {
    functions: Vec<FunctionDef>,
    bodies: Vec<(Body, Option<Span>)>,
    practices: Vec<Practice>,
    /// (practice, body, during), by position in `practices` and `bodies`.
    memberships: Vec<(u32, u32, Interval)>,
    /// (child, parent, during), by position in `bodies`.
    parents: Vec<(u32, u32, Interval)>,
    successions: Vec<Succession>,
    areas: Vec<vires_core::register::NamedArea>,
    powers: Vec<Power>,
    instruments: Vec<(Instrument, Option<SpansImage>)>,
    coverage: Vec<CoverageRow>,
    unknown_memberships: Vec<UnknownImage>,
}

#[derive(Serialize, Deserialize)]
struct UnknownImage {
    practice: u32,
    during: Interval,
    candidates: Vec<String>,
    note: String,
    source: String,
}

/// [`FieldSpans`] in its field order.
type SpansImage = [Option<Span>; 13];

fn spans_image(s: &FieldSpans) -> Option<SpansImage> {
    let all = [
        s.whole,
        s.id,
        s.basis,
        s.maker,
        s.receivers,
        s.of,
        s.functions,
        s.area,
        s.from,
        s.until,
        s.purposes,
        s.target,
        s.onward,
    ];
    all.iter().any(Option::is_some).then_some(all)
}

fn spans_of(s: SpansImage) -> FieldSpans {
    let [whole, id, basis, maker, receivers, of, functions, area, from, until, purposes, target, onward] =
        s;
    FieldSpans {
        whole,
        id,
        basis,
        maker,
        receivers,
        of,
        functions,
        area,
        from,
        until,
        purposes,
        target,
        onward,
    }
}

impl Image {
    fn of(r: &Register) -> Image {
        Image {
            functions: r.taxonomy.iter().map(|(_, d)| d.clone()).collect(),
            bodies: r.bodies.iter().map(|b| (b.clone(), b.span)).collect(),
            practices: r.practices.clone(),
            memberships: r
                .memberships
                .iter()
                .map(|m| (m.practice.0, m.body.0, m.during))
                .collect(),
            parents: r
                .parents
                .iter()
                .map(|p| (p.child.0, p.parent.0, p.during))
                .collect(),
            successions: r.successions.clone(),
            areas: r.areas.clone(),
            powers: r.powers.clone(),
            instruments: r
                .instruments
                .iter()
                .map(|i| (i.clone(), spans_image(i.spans())))
                .collect(),
            coverage: r.coverage.clone(),
            unknown_memberships: r
                .unknown_memberships
                .iter()
                .map(|u| UnknownImage {
                    practice: u.practice.0,
                    during: u.during,
                    candidates: u.candidates.clone(),
                    note: u.note.clone(),
                    source: u.source.clone(),
                })
                .collect(),
        }
    }

    /// The register, with its indexes rebuilt; an error if the image does not hang together
    /// (a position out of range, two bodies with one code at once, a practice twice).
    fn into_register(self) -> Result<Register, String> {
        let mut r = Register::new();
        for f in self.functions {
            r.taxonomy.declare(f);
        }
        for (mut body, span) in self.bodies {
            body.span = span;
            r.add_body(body).map_err(|e| format!("image: {e}"))?;
        }
        for practice in self.practices {
            r.add_practice(practice)
                .map_err(|e| format!("image: {e}"))?;
        }
        let bodies = r.bodies.len();
        let practices = r.practices.len();
        let body = |n: u32| {
            ((n as usize) < bodies)
                .then_some(BodyId(n))
                .ok_or_else(|| format!("image: body {n} of {bodies}"))
        };
        let practice = |n: u32| {
            ((n as usize) < practices)
                .then_some(PracticeId(n))
                .ok_or_else(|| format!("image: practice {n} of {practices}"))
        };
        for (a, b, during) in self.memberships {
            r.add_membership(practice(a)?, body(b)?, during);
        }
        for (child, parent, during) in self.parents {
            r.add_parent(body(child)?, body(parent)?, during);
        }
        r.successions = self.successions;
        r.areas = self.areas;
        r.powers = self.powers;
        for (mut instrument, spans) in self.instruments {
            if let Some(s) = spans {
                instrument.set_spans(spans_of(s));
            }
            r.add_instrument(instrument);
        }
        r.coverage = self.coverage;
        for u in self.unknown_memberships {
            r.unknown_memberships.push(UnknownMembership {
                practice: practice(u.practice)?,
                during: u.during,
                candidates: u.candidates,
                note: u.note,
                source: u.source,
            });
        }
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The image holds everything the register does: read back, the bundled England
    /// register prints (`Debug`, every field and index, spans included) exactly as built.
    #[test]
    fn the_image_of_the_england_register_reads_back_whole() {
        let built = crate::base::build_register(&Base::England, &mut |_| {}).unwrap();
        assert!(
            built.bodies.iter().any(|b| b.span.is_some())
                && built.instruments.iter().any(|i| i.spans().whole.is_some()),
            "the national files give spans to check"
        );
        let json = serde_json::to_vec(&Image::of(&built)).unwrap();
        let image: Image = serde_json::from_slice(&json).unwrap();
        let read = image.into_register().unwrap();
        // `function_ids` only shares the text of long function ids between instruments: which
        // ids it holds depends on whether an instrument was added one by one or appended in
        // bulk, not on what the register says, so it is left out of the comparison.
        fn said(r: &Register) -> String {
            let text = format!("{r:?}");
            match text.find("function_ids: {") {
                Some(at) => {
                    let end = text[at..].find('}').map_or(text.len(), |e| at + e + 1);
                    format!("{}{}", &text[..at], &text[end..])
                }
                None => text,
            }
        }
        let (read, built) = (said(&read), said(&built));
        if read != built {
            let at = read
                .bytes()
                .zip(built.bytes())
                .position(|(a, b)| a != b)
                .unwrap_or(read.len().min(built.len()));
            let from = at.saturating_sub(300);
            panic!(
                "the registers differ at byte {at}:\nread:  {}\nbuilt: {}",
                &read[from..(at + 300).min(read.len())],
                &built[from..(at + 300).min(built.len())]
            );
        }
    }

    #[test]
    fn a_file_is_read_only_under_its_own_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.register");
        let mut r = Register::new();
        r.declare_function("commissioning", "Commissioning");
        write(&path, "key one", &r).unwrap();
        assert!(read(&path, "key one").is_ok());
        assert!(matches!(read(&path, "key two"), Err(Unusable::OtherKey)));
        assert!(matches!(
            read(&dir.path().join("none"), "key one"),
            Err(Unusable::Missing)
        ));
    }
}
