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

/// A fast checksum of a text (FxHash-style, eight bytes at a time): tells an accidental
/// change of a file from the text that was checked, when size and time stayed the same.
pub fn fingerprint(text: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let bytes = text.as_bytes();
    let mut hash = bytes.len() as u64;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        hash = (hash.rotate_left(5) ^ word).wrapping_mul(K);
    }
    for &b in words.remainder() {
        hash = (hash.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
    }
    hash
}

/// The text of `path` decoded as on the first read, or `None` when the file is gone,
/// unreadable or no longer the one that was read (size, time, then checksum).
pub fn read_again(path: &Path, stamp: DiskStamp, checksum: u64) -> Option<Arc<str>> {
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
    let text = super::decode_owned(bytes);
    (fingerprint(&text) == checksum).then(|| text.into())
}
