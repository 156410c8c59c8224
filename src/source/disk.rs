//! Reading a released text again, and making sure it is still the text that was checked.

use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

/// What a file looked like when it was read: same size and modification time means the
/// same text (what `make` and cargo trust too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskStamp {
    pub len: u64,
    pub modified: Option<SystemTime>,
}

impl DiskStamp {
    pub fn of(meta: &std::fs::Metadata) -> DiskStamp {
        DiskStamp {
            len: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

/// The text of `path` decoded as on the first read, or `None` when the file is gone,
/// unreadable or no longer the one that was read.
pub fn read_again(path: &Path, stamp: DiskStamp) -> Option<Arc<str>> {
    let mut file = std::fs::File::open(path).ok()?;
    if DiskStamp::of(&file.metadata().ok()?) != stamp {
        return None;
    }
    let mut bytes = Vec::with_capacity(stamp.len as usize);
    std::io::Read::read_to_end(
        &mut std::io::Read::take(&mut file, stamp.len + 1),
        &mut bytes,
    )
    .ok()?;
    if bytes.len() as u64 != stamp.len || DiskStamp::of(&file.metadata().ok()?) != stamp {
        return None;
    }
    Some(crate::discover::decode_owned(bytes).into())
}
