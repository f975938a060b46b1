//! What keeps the mirror current: per kind, a list page by page, then a watch from its
//! resource version, again from a new list when the watch cannot go on; failures back off.

use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

use futures::StreamExt;
use kube::api::{DynamicObject, ListParams, WatchEvent, WatchParams};

use super::view::{apply, View};
use super::{ListingFn, Mirror};
use crate::store::Store;
use crate::Kind;

/// How long one watch call lasts before the API server ends it (and it is opened again).
const WATCH_SECONDS: u32 = 290;
/// A watch silent for this long (no event; bookmarks come about once a minute) is taken for a
/// dropped connection and opened again.
const IDLE: Duration = Duration::from_secs(90);

/// Why one round of list-then-watch ended.
enum Ended {
    /// The list failed: wait, then list again.
    ListFailed(String),
    /// The watch failed before it delivered anything: wait, then list again.
    Relist(String),
    /// The watch delivered, then could not go on from its resource version: list again now.
    Worked(String),
    /// The API server's resource versions are not numbers: the mirror cannot vouch for reads.
    Off(String),
}

/// Pause before the `n`th retry in a row: 1 s, 2 s, 4 s … up to a minute.
fn backoff(n: u32) -> Duration {
    Duration::from_secs(1u64 << n.saturating_sub(1).min(6)).min(Duration::from_secs(60))
}

/// Sends reads back to the API server when [`Mirror::run`] ends.
struct Stopped<'a>(&'a Mirror);

impl Drop for Stopped<'_> {
    fn drop(&mut self) {
        for k in &self.0.kinds {
            k.seen.send_replace(None);
        }
        self.0.running.store(false, Ordering::SeqCst);
    }
}

impl Mirror {
    /// Keeps the mirror of all three kinds current until the future is dropped: list page by
    /// page, then watch from the list's resource version; again from a new list when the watch
    /// cannot go on. Failures are logged and retried; meanwhile reads go to the API server.
    pub async fn run(self: Arc<Self>, store: Store, listings: Arc<ListingFn>) {
        // One feeder per mirror: a second `run` (another `serve` of the same state) does nothing.
        if self.running.swap(true, Ordering::SeqCst) {
            return;
        }
        // However this future ends (dropped, aborted), reads go back to the API server.
        let _stopped = Stopped(&self);
        let one = |kind: Kind| {
            let me = Arc::clone(&self);
            let store = store.clone();
            let listings = Arc::clone(&listings);
            async move {
                let mut failures = 0u32;
                loop {
                    let ended = me.list_and_watch(kind, &store, listings.as_ref()).await;
                    me.kind(kind).seen.send_replace(None);
                    let why = match ended {
                        Ended::Off(why) => {
                            tracing::warn!(kind = kind.as_str(), reason = %why, "mirror: off for this kind; reads go to the API server");
                            return;
                        }
                        Ended::Worked(why) => {
                            failures = 0;
                            tracing::info!(kind = kind.as_str(), reason = %why, "mirror: listing again");
                            continue;
                        }
                        Ended::ListFailed(why) | Ended::Relist(why) => why,
                    };
                    failures += 1;
                    let pause = backoff(failures);
                    tracing::warn!(kind = kind.as_str(), reason = %why, retry_in = ?pause, "mirror: reads go to the API server until it is current again");
                    tokio::time::sleep(pause).await;
                }
            }
        };
        futures::join!(one(Kind::Function), one(Kind::Sink), one(Kind::Source));
    }

    /// One list, then the watch from its version for as long as it can go on.
    async fn list_and_watch(&self, kind: Kind, store: &Store, listings: &ListingFn) -> Ended {
        let api = store.api(kind);
        let (view, mut version) = match self.list(&api, store, listings).await {
            Ok(v) => v,
            Err(e) => return Ended::ListFailed(e),
        };
        let Some(mut seen) = parse_version(&version) else {
            return Ended::Off(format!("resource version {version:?} is not a number"));
        };
        let k = self.kind(kind);
        let count = view.objects.len();
        // Deletions the list no longer shows are delivered.
        k.deleted
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pending
            .retain(|(n, _)| view.objects.contains_key(n));
        *k.view.write().unwrap_or_else(PoisonError::into_inner) = view;
        tracing::info!(
            kind = kind.as_str(),
            resources = count,
            resource_version = %version,
            "mirror: listed; watching"
        );
        let mut failures = 0u32;
        let mut delivered = false;
        loop {
            if failures > 0 {
                k.seen.send_replace(None);
                if failures > 3 {
                    let why = format!("the watch failed {failures} times in a row");
                    return if delivered {
                        Ended::Worked(why)
                    } else {
                        Ended::Relist(why)
                    };
                }
                tokio::time::sleep(backoff(failures)).await;
            }
            let params = WatchParams::default().timeout(WATCH_SECONDS);
            let stream = match api.watch(&params, &version).await {
                Ok(s) => s,
                Err(e) => {
                    tracing::debug!(kind = kind.as_str(), error = %e, "mirror: watch not opened");
                    failures += 1;
                    continue;
                }
            };
            k.seen.send_replace(Some(seen));
            let opened = Instant::now();
            let mut stream = std::pin::pin!(stream);
            let mut this_watch = false;
            loop {
                // A connection that went silent (no event, no bookmark) is given up on.
                let event = match tokio::time::timeout(IDLE, stream.next()).await {
                    Ok(Some(event)) => event,
                    // Ended (its timeout), silent, or broke off: watch again from `version`.
                    Ok(None) | Err(_) => break,
                };
                let (object, deleted) = match event {
                    Ok(WatchEvent::Added(o) | WatchEvent::Modified(o)) => (o, false),
                    Ok(WatchEvent::Deleted(o)) => (o, true),
                    Ok(WatchEvent::Bookmark(b)) => {
                        if let Some(v) = parse_version(&b.metadata.resource_version) {
                            version = b.metadata.resource_version;
                            seen = seen.max(v);
                            k.seen.send_replace(Some(seen));
                        }
                        this_watch = true;
                        continue;
                    }
                    // 410 Gone: the version is too old now; a new list starts over.
                    Ok(WatchEvent::Error(status)) if status.code == 410 => {
                        return Ended::Worked(format!("watch: {}", status.message))
                    }
                    Ok(WatchEvent::Error(status)) => {
                        return Ended::Relist(format!("watch: {} {}", status.code, status.message))
                    }
                    Err(e) => {
                        tracing::debug!(kind = kind.as_str(), error = %e, "mirror: watch broke off");
                        break;
                    }
                };
                let Some(v) = object.metadata.resource_version.clone() else {
                    return Ended::Relist("a watch event without a resource version".into());
                };
                let Some(n) = parse_version(&v) else {
                    return Ended::Off(format!("resource version {v:?} is not a number"));
                };
                k.take(object, deleted, listings);
                version = v;
                seen = seen.max(n);
                k.seen.send_replace(Some(seen));
                this_watch = true;
            }
            delivered |= this_watch;
            // A watch that delivered, or lasted, was not a failure.
            let lasted = opened.elapsed() >= Duration::from_secs(30);
            failures = if this_watch || lasted {
                0
            } else {
                failures + 1
            };
        }
    }

    /// Lists `api` page by page into a new view; returns it with the list's resource version.
    async fn list(
        &self,
        api: &kube::Api<DynamicObject>,
        store: &Store,
        listings: &ListingFn,
    ) -> Result<(View, String), String> {
        let mut view = View::default();
        let mut token: Option<String> = None;
        loop {
            let mut params = ListParams::default().limit(store.list_page_size());
            if let Some(t) = &token {
                params = params.continue_token(t);
            }
            let page = api.list(&params).await.map_err(|e| e.to_string())?;
            let version = page.metadata.resource_version.clone().unwrap_or_default();
            for o in page.items {
                apply(&mut view, o, false, listings);
            }
            match page.metadata.continue_.filter(|t| !t.is_empty()) {
                Some(t) => token = Some(t),
                None => return Ok((view, version)),
            }
        }
    }
}

fn parse_version(v: &str) -> Option<u64> {
    v.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_up_to_a_minute() {
        let secs: Vec<u64> = (1..=9).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(backoff(u32::MAX), Duration::from_secs(60));
    }
}
