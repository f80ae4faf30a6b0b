//! The bytes of one entry file (layout in the [module docs](super)).

use zeroize::Zeroizing;

use super::seal::{self, Sealing};
use crate::store::StoredPat;
use crate::store::persisted::{self, Content, Document};

/// The first bytes of every entry file.
pub(super) const MAGIC: &[u8; 8] = b"PATKIT-E";
/// The entry file version this code writes: the body is a versioned entry document of
/// [`crate::store::persisted`].
pub(super) const VERSION: u8 = 2;
/// The entry file version of patkit 0.1: the body is `{"record": …, "secret": …}` in entry
/// format 1. Still read.
const VERSION_1: u8 = 1;
/// Bytes before the sealed body: magic, version, sealing, revision, length.
pub(super) const HEADER_LEN: usize = 8 + 1 + 1 + 8 + 4;
/// Bytes of the CRC-32 trailer.
const CRC_LEN: usize = 4;

/// The file contents for `entry` (whose `record.revision` is already the new revision), stored
/// under `file_name`. Wiped when dropped: with plain sealing they hold the token in clear text.
pub(super) fn encode(entry: &StoredPat, file_name: &str, sealing: &Sealing) -> Zeroizing<Vec<u8>> {
    let body = Document::entry(entry, Some(entry.record.revision)).to_json();

    let sealed_len = body.len() + sealing.nonce_len() + if sealing.id() == seal::PLAIN { 0 } else { 16 };
    let mut out = Zeroizing::new(Vec::with_capacity(HEADER_LEN + sealed_len + CRC_LEN));
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.push(sealing.id());
    out.extend_from_slice(&entry.record.revision.to_le_bytes());
    out.extend_from_slice(&u32::try_from(sealed_len).expect("an entry is far below 4 GiB").to_le_bytes());
    let sealed = Zeroizing::new(sealing.seal(&body, &aad(&out, file_name)));
    debug_assert_eq!(sealed.len(), sealed_len);
    out.extend_from_slice(&sealed);
    let crc = crate::crc32::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Reads an entry file. The error is a secret-free reason for a `Corrupt` error. `bytes` are the
/// caller's to wipe; the decrypted body is wiped here, and the token moves into a [`PatSecret`]
/// (wiped when dropped) without another copy.
pub(super) fn decode(
    bytes: &[u8],
    file_name: &str,
    expected_name: &str,
    sealing: &Sealing,
) -> Result<StoredPat, String> {
    let header =
        bytes.get(..HEADER_LEN).ok_or_else(|| format!("truncated: {} bytes, shorter than a header", bytes.len()))?;
    if &header[..8] != MAGIC {
        return Err("not a patkit entry file (bad magic bytes)".to_owned());
    }
    if header[8] != VERSION && header[8] != VERSION_1 {
        return Err(format!(
            "entry file version {} is not supported (this build reads versions {VERSION_1} to {VERSION}; a newer \
             patkit wrote it?)",
            header[8]
        ));
    }
    let revision = u64::from_le_bytes(header[10..18].try_into().expect("8 bytes"));
    let sealed_len = u32::from_le_bytes(header[18..22].try_into().expect("4 bytes")) as usize;
    let expected_len = HEADER_LEN + sealed_len + CRC_LEN;
    if bytes.len() != expected_len {
        let what = if bytes.len() < expected_len { "truncated" } else { "has trailing bytes" };
        return Err(format!("{what}: {} bytes, the header says {expected_len}", bytes.len()));
    }
    let (content, crc) = bytes.split_at(HEADER_LEN + sealed_len);
    if crate::crc32::hash(content) != u32::from_le_bytes(crc.try_into().expect("4 bytes")) {
        return Err("checksum mismatch (the file was damaged after it was written)".to_owned());
    }
    if header[9] != sealing.id() {
        return Err(format!(
            "written with sealing `{}`, but this store uses `{}`",
            seal::label(header[9]),
            sealing.label()
        ));
    }
    let body = sealing
        .open(&content[HEADER_LEN..], &aad(header, file_name))
        .map_err(|_| "cannot be decrypted with this key (wrong key, or the file was tampered with)".to_owned())?;
    let entry = if header[8] == VERSION_1 {
        persisted::decode_file_body_v1(&body).map_err(|why| format!("the body {why}"))?
    } else {
        match persisted::decode(&body).map_err(|why| format!("the body {why}"))? {
            Content::Entry { entry, revision: Some(_) } => entry,
            Content::Entry { revision: None, .. } => return Err("the body lacks its revision".to_owned()),
            Content::Removed => return Err("the body is a removal mark, which entry files never are".to_owned()),
        }
    };
    let StoredPat { record, secret } = entry;
    if record.name != expected_name {
        return Err(format!("holds the entry {:?}, not the one its file name stands for", record.name));
    }
    if record.revision != revision {
        return Err(format!("header revision {revision} differs from the body's {}", record.revision));
    }
    Ok(StoredPat { record, secret })
}

/// The revision in an entry file's header, if the header is readable (used when removing a
/// damaged entry, so its revision is still never reused).
pub(super) fn header_revision(bytes: &[u8]) -> Option<u64> {
    let header = bytes.get(..HEADER_LEN)?;
    (&header[..8] == MAGIC).then(|| u64::from_le_bytes(header[10..18].try_into().expect("8 bytes")))
}

/// What the AEAD authenticates besides the body: the header and the file name, so a sealed body
/// cannot be moved to another entry or given another revision.
fn aad(header: &[u8], file_name: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(HEADER_LEN + file_name.len());
    aad.extend_from_slice(&header[..HEADER_LEN]);
    aad.extend_from_slice(file_name.as_bytes());
    aad
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::PatSecret;
    use crate::store::PatRecord;

    const CANARY: &str = "CANARY-format-51c2";

    fn entry_named(name: &str) -> StoredPat {
        let now = chrono::Utc::now();
        StoredPat {
            record: PatRecord {
                name: name.to_owned(),
                provider: "azure-devops".to_owned(),
                organization: "contoso".to_owned(),
                metadata: crate::model::PatMetadata {
                    id: crate::model::PatId::new("1"),
                    display_name: "d".to_owned(),
                    scopes: crate::scope::Scopes::default(),
                    valid_from: now,
                    valid_to: Some(now),
                    extras: crate::extras::Extras::new(),
                },
                stored_at: now,
                revision: 0,
                rotation: None,
                previous: None,
                retiring: None,
            },
            secret: PatSecret::new(CANARY.to_owned()),
        }
    }

    /// A file with a valid header and checksum around `body`.
    fn file_with_body(body: &[u8], revision: u64) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.push(seal::PLAIN);
        out.extend_from_slice(&revision.to_le_bytes());
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend_from_slice(body);
        let crc = crate::crc32::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    #[test]
    fn a_body_that_misplaces_the_secret_is_reported_without_quoting_it() {
        let body = format!(r#"{{"record": "{CANARY}", "secret": 1}}"#);
        let reason = decode(&file_with_body(body.as_bytes(), 1), "a.pat", "a", &Sealing::Plain).err().unwrap();
        assert!(reason.contains("not a patkit entry"), "{reason}");
        assert!(!reason.contains(CANARY), "the reason quotes the body: {reason}");
    }

    #[test]
    fn encode_then_decode_round_trips_and_checks_the_revision() {
        let mut entry = entry_named("a");
        entry.record.revision = 7;
        let bytes = encode(&entry, "a.pat", &Sealing::Plain);
        assert_eq!(header_revision(&bytes), Some(7));
        let back = decode(&bytes, "a.pat", "a", &Sealing::Plain).unwrap();
        assert_eq!(back.record, entry.record);
        assert_eq!(back.secret.expose_secret(), CANARY);
        assert!(decode(&bytes, "b.pat", "b", &Sealing::Plain).unwrap_err().contains("holds the entry"));
    }
}
