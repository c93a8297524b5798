//! `meta.total` remembered per data version.
//!
//! Counting is the one part of a list page that grows with the matching rows rather than with
//! the page: a filter matching a hundred thousand metrics costs milliseconds to count on every
//! page. The total of a filter does not change until the data does, so it is kept under the
//! data version (moved by every write, see migration `0003`) and every later page, whatever
//! its cursor, sort or size, reuses it.
//!
//! Every page statement reads the data version it ran under; the latest one seen is what the
//! next request, before it runs, expects to find, so it can leave out a count it already has.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use lru::LruCache;

/// Totals kept: each is a short key and a number, so this is well under a megabyte.
const ENTRIES: usize = 4096;

/// No version seen yet.
const UNSEEN: i64 = i64::MIN;

#[derive(Clone)]
pub struct Counts {
    inner: Arc<Mutex<LruCache<(i64, String), i64>>>,
    latest: Arc<AtomicI64>,
}

impl Default for Counts {
    fn default() -> Self {
        Self {
            inner: Arc::new(Mutex::new(LruCache::new(
                NonZeroUsize::new(ENTRIES).expect("non-zero"),
            ))),
            latest: Arc::new(AtomicI64::new(UNSEEN)),
        }
    }
}

impl Counts {
    pub fn get(&self, version: i64, key: &str) -> Option<i64> {
        self.inner
            .lock()
            .ok()?
            .get(&(version, key.to_owned()))
            .copied()
    }

    pub fn put(&self, version: i64, key: String, total: i64) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.put((version, key), total);
        }
    }

    /// The data version the last statement ran under, if any ran.
    pub fn latest(&self) -> Option<i64> {
        Some(self.latest.load(Ordering::Relaxed)).filter(|&v| v != UNSEEN)
    }

    pub fn saw(&self, version: i64) {
        self.latest.store(version, Ordering::Relaxed);
    }
}
