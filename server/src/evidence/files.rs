//! Where evidence lives on disk, under `<data dir>/evidence`:
//!
//! - `partial/<upload id>.part`: uploads in progress, appended chunk by chunk;
//! - `objects/<aa>/<sha256>`: originals, named by the SHA-256 of their bytes;
//! - `derived/<sha256>.preview.jpg`, `.thumb.jpg` and `.copy.jpg`: re-encoded copies without metadata;
//! - `derived/<sha256>.pages` and `.page-<n>.png`: a PDF's page count and its pages as pictures.
//!
//! Every file is written under a temporary name, fsynced, renamed into place,
//! and its directory fsynced, before any database row points at it.
//!
//! A derived file has a `.mac` beside it: an HMAC of its name and bytes under
//! a key kept in the database. A derived file whose MAC does not hold (changed
//! on disk, or left by a crash before its MAC) reads as missing, and is made
//! again from the checked original: what parties see is never altered bytes.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Derived {
    Preview,
    Thumbnail,
    /// Full resolution, without metadata; made when another party first asks.
    Copy,
}

#[derive(Clone)]
pub struct EvidenceFiles {
    root: PathBuf,
    /// Keys the MACs of derived files.
    key: [u8; 32],
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

impl EvidenceFiles {
    pub fn open(data_dir: &Path, key: [u8; 32]) -> io::Result<Self> {
        let root = data_dir.join("evidence");
        for dir in ["partial", "objects", "derived"] {
            fs::create_dir_all(root.join(dir))?;
        }
        Ok(Self { root, key })
    }

    fn mac_path(path: &Path) -> PathBuf {
        let mut name = path.file_name().unwrap_or_default().to_owned();
        name.push(".mac");
        path.with_file_name(name)
    }

    fn mac_of(&self, path: &Path, bytes: &[u8]) -> Vec<u8> {
        let mut mac = hmac::Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(path.file_name().unwrap_or_default().as_encoded_bytes());
        mac.update(&[0]);
        mac.update(bytes);
        mac.finalize().into_bytes().to_vec()
    }

    /// Writes a derived file and then its MAC, each durably.
    pub fn write_derived(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        self.write_durably(path, bytes)?;
        self.write_durably(&Self::mac_path(path), &self.mac_of(path, bytes))
    }

    /// A derived file's bytes if it is there and its MAC holds; `None` means
    /// it is to be made (again).
    pub fn read_derived(&self, path: &Path) -> io::Result<Option<Vec<u8>>> {
        let read = |path: &Path| match fs::read(path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        };
        let Some(bytes) = read(path)? else { return Ok(None) };
        let Some(mac) = read(&Self::mac_path(path))? else { return Ok(None) };
        if bool::from(mac.ct_eq(&self.mac_of(path, &bytes))) {
            return Ok(Some(bytes));
        }
        tracing::error!(file = %path.display(), "a derived evidence file does not match its MAC; it is made again from the original");
        Ok(None)
    }

    pub fn partial(&self, upload_id: &str) -> PathBuf {
        self.root.join("partial").join(format!("{upload_id}.part"))
    }

    pub fn object(&self, sha256: &str) -> PathBuf {
        self.root.join("objects").join(&sha256[..2]).join(sha256)
    }

    pub fn derived(&self, sha256: &str, which: Derived) -> PathBuf {
        let suffix = match which {
            Derived::Preview => "preview",
            Derived::Thumbnail => "thumb",
            Derived::Copy => "copy",
        };
        self.root.join("derived").join(format!("{sha256}.{suffix}.jpg"))
    }

    /// A PDF's page `page` rendered as a PNG (made when first asked for).
    pub fn pdf_page(&self, sha256: &str, page: u32) -> PathBuf {
        self.root.join("derived").join(format!("{sha256}.page-{page}.png"))
    }

    /// A PDF's page count, as text.
    pub fn pdf_page_count(&self, sha256: &str) -> PathBuf {
        self.root.join("derived").join(format!("{sha256}.pages"))
    }

    /// Writes `chunk` at `offset` of an upload's partial file and makes it
    /// durable. Anything past `offset` (from a write the database never
    /// recorded, e.g. before a crash) is cut off first: the database's offset rules.
    pub fn append(&self, upload_id: &str, offset: u64, chunk: &[u8]) -> io::Result<()> {
        let path = self.partial(upload_id);
        // Only the first chunk creates the file: a missing file later on is data lost, not a new start.
        let mut file = OpenOptions::new().create(offset == 0).write(true).truncate(false).open(&path)?;
        let len = file.metadata()?.len();
        if len < offset {
            return Err(io::Error::other(format!("partial file has {len} bytes, expected at least {offset}")));
        }
        file.set_len(offset)?;
        file.seek(SeekFrom::Start(offset))?;
        file.write_all(chunk)?;
        file.sync_data()?;
        if offset == 0 {
            sync_dir(path.parent().expect("partial files live in a directory"))?;
        }
        Ok(())
    }

    /// SHA-256 (hex) of a file's bytes, read as a stream.
    pub fn hash_file(path: &Path) -> io::Result<String> {
        let mut file = File::open(path)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        Ok(hex::encode(hasher.finalize()))
    }

    /// Moves a complete, verified upload to its content address. If the same
    /// content is already stored intact, the partial file is simply dropped; a
    /// stored copy that no longer matches its hash is replaced by this one.
    /// Whether a damaged copy was replaced.
    pub fn commit_object(&self, upload_id: &str, sha256: &str) -> io::Result<bool> {
        let partial = self.partial(upload_id);
        let object = self.object(sha256);
        let dir = object.parent().expect("objects live in a directory");
        fs::create_dir_all(dir)?;
        let stored = object.exists();
        if stored && Self::hash_file(&object).is_ok_and(|actual| actual == sha256) {
            fs::remove_file(&partial)?;
            return Ok(false);
        }
        File::open(&partial)?.sync_all()?;
        fs::rename(&partial, &object)?;
        sync_dir(dir)?;
        sync_dir(self.root.join("objects").as_path())?;
        Ok(stored)
    }

    /// Writes a whole file durably: temporary name, fsync, rename, fsync the directory.
    pub fn write_durably(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let dir = path.parent().expect("evidence files live in a directory");
        let temporary = dir.join(format!(
            ".{}.tmp",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("file")
        ));
        {
            let mut file = File::create(&temporary)?;
            file.write_all(bytes)?;
            file.sync_all()?;
        }
        fs::rename(&temporary, path)?;
        sync_dir(dir)
    }

    pub fn remove_partial(&self, upload_id: &str) -> io::Result<()> {
        match fs::remove_file(self.partial(upload_id)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Start-up cleaning: partial files of uploads that no longer exist,
    /// temporary files left by a crash, and originals (with their derived
    /// files) that no evidence holds. Returns how many files were removed.
    pub fn clean(&self, open_uploads: &HashSet<String>, kept_objects: &HashSet<String>) -> io::Result<usize> {
        let mut removed = 0;
        for entry in fs::read_dir(self.root.join("partial"))? {
            let path = entry?.path();
            let upload = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            if path.extension().is_some_and(|e| e == "part") && open_uploads.contains(upload) {
                continue;
            }
            fs::remove_file(&path)?;
            removed += 1;
        }
        let mut dirs = vec![self.root.join("derived"), self.root.join("objects")];
        while let Some(dir) = dirs.pop() {
            for entry in fs::read_dir(&dir)? {
                let path = entry?.path();
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                let object = name.split('.').next().unwrap_or("");
                let orphan = object.len() == 64 && !kept_objects.contains(object);
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "tmp") || orphan {
                    fs::remove_file(&path)?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_append_and_a_stale_tail_is_cut() {
        let dir = tempfile::tempdir().unwrap();
        let files = EvidenceFiles::open(dir.path(), [7; 32]).unwrap();
        files.append("u1", 0, b"hello ").unwrap();
        files.append("u1", 6, b"wor").unwrap();
        // A write the database never recorded: the next chunk overwrites it.
        files.append("u1", 6, b"world").unwrap();
        assert_eq!(fs::read(files.partial("u1")).unwrap(), b"hello world");
        assert!(files.append("u1", 20, b"!").is_err(), "gaps are impossible");

        let sha = EvidenceFiles::hash_file(&files.partial("u1")).unwrap();
        files.commit_object("u1", &sha).unwrap();
        assert_eq!(fs::read(files.object(&sha)).unwrap(), b"hello world");
        assert!(!files.partial("u1").exists());
    }

    #[test]
    fn cleaning_removes_orphans_and_temporaries_only() {
        let dir = tempfile::tempdir().unwrap();
        let files = EvidenceFiles::open(dir.path(), [7; 32]).unwrap();
        files.append("live", 0, b"a").unwrap();
        files.append("orphan", 0, b"b").unwrap();
        fs::write(files.derived("ab", Derived::Preview).with_extension("tmp"), b"x").unwrap();
        files.write_durably(&files.derived("cd", Derived::Thumbnail), b"jpeg").unwrap();
        let (kept, orphan) = ("c".repeat(64), "d".repeat(64));
        files.write_durably(&files.derived(&kept, Derived::Thumbnail), b"jpeg").unwrap();
        files.write_durably(&files.derived(&orphan, Derived::Preview), b"jpeg").unwrap();
        for sha in [&kept, &orphan] {
            fs::create_dir_all(files.object(sha).parent().unwrap()).unwrap();
            fs::write(files.object(sha), b"original").unwrap();
        }
        let removed = files.clean(&HashSet::from(["live".to_owned()]), &HashSet::from([kept.clone()])).unwrap();
        assert_eq!(removed, 4);
        assert!(files.partial("live").exists() && !files.partial("orphan").exists());
        assert!(files.derived("cd", Derived::Thumbnail).exists(), "not an object's name: left alone");
        assert!(files.object(&kept).exists() && files.derived(&kept, Derived::Thumbnail).exists());
        assert!(!files.object(&orphan).exists() && !files.derived(&orphan, Derived::Preview).exists());
    }
}
