//! A directory of its own under the system's temporary directory, removed when dropped: shared
//! by the test crates that run the CLI or a third-party server (`#[path]`-included, so that a
//! crate that needs only this does not pull in the rest of `support`).

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh, empty directory named after `label`, the process and a counter.
pub struct TempDir(PathBuf);

impl TempDir {
    /// Makes the directory (emptied first, should an earlier process of the same id have left
    /// one behind).
    pub fn new(label: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "opsworks-conformance-{label}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("a temporary directory");
        TempDir(path)
    }

    /// A path in the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes a file in the directory; its path as a string.
    #[allow(dead_code)] // not every crate that includes this writes files
    pub fn write(&self, name: &str, contents: &str) -> String {
        let path = self.path(name);
        std::fs::write(&path, contents).expect("a temporary file is written");
        path.to_str().expect("temporary paths are UTF-8").to_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
