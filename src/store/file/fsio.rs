//! File-system primitives: private files, atomic replacement, permission checks, IO errors.

use std::fs::{self, DirBuilder, File, Metadata, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use zeroize::Zeroizing;

use crate::store::{StoreError, StoreErrorKind};

/// Mode of the store's directories.
pub(super) const DIR_MODE: u32 = 0o700;
/// Mode of the store's files.
pub(super) const FILE_MODE: u32 = 0o600;
/// Prefix of temporary files; entry files never start with a dot.
pub(super) const TEMP_PREFIX: &str = ".tmp-";

/// An IO error as a store error naming what was being done and where.
pub(super) fn io_error(doing: &str, path: &Path, error: io::Error) -> StoreError {
    let kind = match error.kind() {
        io::ErrorKind::PermissionDenied => StoreErrorKind::PermissionDenied,
        _ => StoreErrorKind::Other,
    };
    StoreError::new(kind, format!("cannot {doing} {}", path.display())).with_source(error)
}

/// Flags every open of a store file adds: never follow a symbolic link in the last component
/// (a planted link could point the store, or root running it, at another file), and never block
/// opening something that is not a regular file (a FIFO).
const OPEN_FLAGS: i32 = libc::O_NOFOLLOW | libc::O_NONBLOCK;

/// The user id the store's files must belong to: the owner of a file this process creates, which
/// is its effective user id (found without `unsafe`, which the crate forbids, and without
/// `/proc`). `dir` is a directory this process may create files in; the probe file is a
/// temporary file, removed at once (or, after a crash, with the other leftovers).
pub(super) fn effective_uid(dir: &Path) -> Result<u32, StoreError> {
    let probe = dir.join(format!("{TEMP_PREFIX}owner-{}", crate::random::hex(16)));
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .custom_flags(OPEN_FLAGS)
        .open(&probe)
        .map_err(|e| io_error("create", &probe, e))?;
    let uid = file.metadata().map(|m| m.uid()).map_err(|e| io_error("inspect", &probe, e));
    drop(file);
    match fs::remove_file(&probe) {
        // Another process opening the store may have cleared it as a leftover temporary file.
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_error("remove", &probe, e)),
    }
    uid
}

/// Refuses a file or directory that the group or others can access, or that belongs to another
/// user than `owner` (the store's user).
pub(super) fn check_private(metadata: &Metadata, path: &Path, owner: u32) -> Result<(), StoreError> {
    if metadata.uid() != owner {
        return Err(StoreError::new(
            StoreErrorKind::Insecure,
            format!(
                "refusing to use {}: it belongs to user id {}, not to the user running patkit (user id {owner}), \
                 so that user could read or replace the tokens; a file store must be owned by the user who \
                 uses it (if the path is yours, fix with `chown {owner} {}`; else use another directory)",
                path.display(),
                metadata.uid(),
                path.display()
            ),
        ));
    }
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        let (want, fix) = if metadata.is_dir() { ("0700", "chmod 700") } else { ("0600", "chmod 600") };
        return Err(StoreError::new(
            StoreErrorKind::Insecure,
            format!(
                "refusing to use {}: its permissions are {mode:04o}, so other users can reach the tokens; \
                 the file store needs {want} (fix with `{fix} {}`)",
                path.display(),
                path.display()
            ),
        ));
    }
    Ok(())
}

/// The error for a symbolic link (or other non-regular file) where the store keeps a file or
/// directory of its own.
fn not_plain(path: &Path, what: &str) -> StoreError {
    StoreError::new(
        StoreErrorKind::Insecure,
        format!(
            "refusing to use {}: it is not a {what} but a symbolic link or special file, and the file store \
             never follows links inside its directory (remove it, and put the real {what} there if it was yours)",
            path.display()
        ),
    )
}

/// An open that failed: a symbolic link refused by `O_NOFOLLOW` becomes [`StoreErrorKind::Insecure`].
fn open_error(path: &Path, error: io::Error) -> StoreError {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => not_plain(path, "file"),
        _ => io_error("open", path, error),
    }
}

/// Creates the directory `path` with mode 0700; an existing one is left as it is.
pub(super) fn create_private_dir(path: &Path) -> Result<(), StoreError> {
    match DirBuilder::new().mode(DIR_MODE).create(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io_error("create the directory", path, e)),
    }
}

/// Checks that `path` is a directory owned by `owner` and only it can reach. With
/// `follow_link`, a symbolic link at `path` is followed (the store's own path may go through
/// one; what it points at is checked); without, it is refused (directories inside the store).
pub(super) fn check_private_dir(path: &Path, owner: u32, follow_link: bool) -> Result<(), StoreError> {
    let metadata = if follow_link { fs::metadata(path) } else { fs::symlink_metadata(path) };
    let metadata = metadata.map_err(|e| io_error("inspect", path, e))?;
    if metadata.file_type().is_symlink() {
        return Err(not_plain(path, "directory"));
    }
    if !metadata.is_dir() {
        return Err(StoreError::new(StoreErrorKind::Other, format!("{} is not a directory", path.display())));
    }
    check_private(&metadata, path, owner)
}

/// Checks what an open file of the store is: a regular file, private to `owner`.
fn check_private_file(file: &File, path: &Path, owner: u32) -> Result<Metadata, StoreError> {
    let metadata = file.metadata().map_err(|e| io_error("inspect", path, e))?;
    if !metadata.is_file() {
        return Err(not_plain(path, "file"));
    }
    check_private(&metadata, path, owner)?;
    Ok(metadata)
}

/// Opens (creating with mode 0600 if missing) a file for reading and writing, never through a
/// symbolic link, and checks it is private to `owner`.
pub(super) fn open_private(path: &Path, owner: u32) -> Result<File, StoreError> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(FILE_MODE)
        .custom_flags(OPEN_FLAGS)
        .open(path)
        .map_err(|e| open_error(path, e))?;
    check_private_file(&file, path, owner)?;
    Ok(file)
}

/// The contents of a private file, `None` if it does not exist. A symbolic link, a special file,
/// or a file of another user or that the group or others can access is refused
/// ([`StoreErrorKind::Insecure`]). The bytes are wiped when dropped: an entry file holds a
/// token (in clear text in a plain store).
pub(super) fn read_private(path: &Path, owner: u32) -> Result<Option<Zeroizing<Vec<u8>>>, StoreError> {
    let mut file = match OpenOptions::new().read(true).custom_flags(OPEN_FLAGS).open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(open_error(path, e)),
    };
    let metadata = check_private_file(&file, path, owner)?;
    // One spare byte: `read_to_end` then reaches the end without growing (and so copying) the
    // buffer, unless the file grew since `metadata`.
    let mut bytes = Zeroizing::new(Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0) + 1));
    file.read_to_end(&mut bytes).map_err(|e| io_error("read", path, e))?;
    Ok(Some(bytes))
}

/// Replaces `dir/file_name` with `bytes` atomically and durably: write a private temporary file
/// in the same directory, fsync it, rename it over the target, fsync the directory. A crash at
/// any point leaves the old file or the new one, plus at most a stray temporary file.
pub(super) fn replace_atomically(dir: &Path, file_name: &str, bytes: &[u8]) -> Result<(), StoreError> {
    let temp = dir.join(format!("{TEMP_PREFIX}{}", crate::random::hex(16)));
    let target = dir.join(file_name);
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(FILE_MODE)
            .custom_flags(OPEN_FLAGS)
            .open(&temp)
            .map_err(|e| io_error("create", &temp, e))?;
        file.write_all(bytes).map_err(|e| io_error("write", &temp, e))?;
        file.sync_all().map_err(|e| io_error("flush to disk", &temp, e))?;
        fs::rename(&temp, &target).map_err(|e| io_error("move a new version into", &target, e))
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written?;
    sync_dir(dir)
}

/// Removes `path` durably; `false` if it did not exist.
pub(super) fn remove_durably(dir: &Path, path: &Path) -> Result<bool, StoreError> {
    match fs::remove_file(path) {
        Ok(()) => sync_dir(dir).map(|()| true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io_error("remove", path, e)),
    }
}

/// Flushes a directory's entries (creations, renames, removals) to disk.
pub(super) fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io_error("flush to disk the directory", dir, e))
}

/// Deletes temporary files left in `dir` by writers that crashed. Call only while holding the
/// store lock: live temporary files exist only under it. A symbolic link named like one is
/// removed itself; what it points at is never touched.
pub(super) fn remove_stale_temp_files(dir: &Path) -> Result<(), StoreError> {
    let entries = fs::read_dir(dir).map_err(|e| io_error("list", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| io_error("list", dir, e))?;
        if entry.file_name().to_str().is_some_and(|n| n.starts_with(TEMP_PREFIX)) {
            let path = entry.path();
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_error("remove the stale temporary file", &path, e)),
            }
        }
    }
    Ok(())
}
