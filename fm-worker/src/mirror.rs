//! The worker's mirror of the Function, Sink and Source resources of its namespace, kept current
//! by a watch: `get` and `list` are answered from it, the way Pulsar's own worker answers them
//! from the function metadata it keeps by tailing its metadata topic.
//!
//! - **Filled page by page.** The (re)list that starts each watch reads the API server
//!   [`Store::list_page_size`](crate::store::Store::list_page_size) objects at a time (`limit`/`continue`); a page's objects are
//!   trimmed as they arrive, so the full objects of the namespace never sit in memory at once.
//!   What is kept per resource is its resource version and its JSON without `managedFields`
//!   (the largest part of a stored resource).
//! - **Read your own writes.** Every create, update and delete the worker makes records the
//!   resource version the API server gave it; a read waits (at most [`Mirror::DEFAULT_WAIT`])
//!   until the watch has delivered that version, so `create` then `get` on one worker never
//!   misses. A delete the API server answers with a bare status (no resource version) makes
//!   reads wait until the view no longer has the resource. Changes made elsewhere (another
//!   worker, `kubectl`) show once the watch delivers them, normally within milliseconds, as
//!   with Pulsar's workers.
//! - **When in doubt, the API server.** Until the first list completes, while a watch cannot
//!   be (re)opened (for example when the service account may not `watch`), after a write whose
//!   resource version is unknown, or when the wait runs out, a read is answered by the API
//!   server instead ([`Seen::Unknown`]).
//!
//! Resource versions are compared as numbers: the API server's etcd store issues them from
//! etcd's one increasing revision. A version that is not a number switches the mirror off for
//! that kind (every read goes to the API server).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use kube::api::DynamicObject;
use serde_json::Value;

use crate::Kind;

mod feed;
mod view;

use view::{apply, View};

/// Where one resource is listed: Pulsar tenant, Pulsar namespace, component name.
pub type Listing = (String, String, String);

/// Which Pulsar lists show a resource with the given labels, and under which name (the worker's
/// list selectors as a predicate; see [`crate::Library::listings`]).
pub type ListingFn = dyn Fn(&BTreeMap<String, String>) -> Vec<Listing> + Send + Sync;

/// What the mirror knows of one resource or one list.
#[derive(Debug, PartialEq)]
pub enum Seen<T> {
    /// It exists (or, for a list, these are the names).
    Present(T),
    /// It does not exist.
    Absent,
    /// The mirror cannot say now: ask the API server.
    Unknown,
}

/// The mirror of the three kinds; see the module documentation.
pub struct Mirror {
    kinds: [KindMirror; 3],
    wait: Duration,
    running: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for Mirror {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let seen: Vec<_> = self.kinds.iter().map(|k| *k.seen.borrow()).collect();
        f.debug_struct("Mirror")
            .field("seen", &seen)
            .field("wait", &self.wait)
            .finish()
    }
}

/// One kind's mirror.
struct KindMirror {
    view: RwLock<View>,
    /// The highest resource version the view reflects; `None` while the view may be behind
    /// without the mirror knowing (no list yet, no open watch).
    seen: tokio::sync::watch::Sender<Option<u64>>,
    /// The highest resource version the worker wrote.
    wrote: AtomicU64,
    /// How many writes the worker reported (with a version, without one, or a deletion).
    writes: AtomicU64,
    /// Until when reads go to the API server after a write of unknown resource version.
    blind_until: Mutex<Option<Instant>>,
    /// Deletions answered with a bare status (no resource version), matched with the watch's.
    deleted: Mutex<Deletions>,
}

/// The worker's deletions that the API server answered with a bare status (no resource
/// version), and the watch's recent deletions: the watch can deliver a deletion before the
/// worker has the API server's answer, so each side looks for the other.
#[derive(Default)]
struct Deletions {
    /// The worker's, not delivered yet, with when: reads wait for them (or for the wait).
    pending: Vec<(String, Instant)>,
    /// The watch's, not claimed by the worker yet, with when (the last [`Deletions::KEPT`]).
    delivered: std::collections::VecDeque<(String, Instant)>,
}

impl Deletions {
    /// How many of the watch's deletions are kept for a worker's answer that comes late.
    const KEPT: usize = 256;
}

impl KindMirror {
    /// Whether no deletion of the worker's is still to be delivered (those older than `wait`
    /// are given up).
    fn no_deletion_pending(&self, wait: Duration) -> bool {
        let mut deleted = self.deleted.lock().unwrap_or_else(PoisonError::into_inner);
        deleted.pending.retain(|(_, at)| at.elapsed() < wait);
        deleted.pending.is_empty()
    }

    /// Applies one watch event to the view (and notes a delivered deletion); the caller then
    /// moves `seen` on.
    fn take(&self, object: DynamicObject, deleted: bool, listings: &ListingFn) {
        let name = object.metadata.name.clone().unwrap_or_default();
        {
            let mut view = self.view.write().unwrap_or_else(PoisonError::into_inner);
            apply(&mut view, object, deleted, listings);
        }
        if deleted {
            self.deletion_delivered(&name);
        }
    }

    /// The watch delivered the deletion of `name`: the worker's pending one, or one the
    /// worker may yet report.
    fn deletion_delivered(&self, name: &str) {
        let mut d = self.deleted.lock().unwrap_or_else(PoisonError::into_inner);
        match d.pending.iter().position(|(n, _)| n == name) {
            Some(i) => {
                d.pending.remove(i);
            }
            None => {
                if d.delivered.len() >= Deletions::KEPT {
                    d.delivered.pop_front();
                }
                d.delivered.push_back((name.to_owned(), Instant::now()));
            }
        }
    }
}

impl Default for KindMirror {
    fn default() -> Self {
        KindMirror {
            view: RwLock::default(),
            seen: tokio::sync::watch::Sender::new(None),
            wrote: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            blind_until: Mutex::new(None),
            deleted: Mutex::default(),
        }
    }
}

impl Default for Mirror {
    fn default() -> Self {
        Mirror {
            kinds: Default::default(),
            wait: Self::DEFAULT_WAIT,
            running: Default::default(),
        }
    }
}

impl Mirror {
    /// How long a read waits for the watch to deliver the worker's own last write.
    pub const DEFAULT_WAIT: Duration = Duration::from_secs(2);

    /// A mirror that answers [`Seen::Unknown`] until [`Mirror::run`] fills it.
    pub fn new() -> Self {
        Self::default()
    }

    fn kind(&self, kind: Kind) -> &KindMirror {
        let [function, sink, source] = &self.kinds;
        match kind {
            Kind::Function => function,
            Kind::Sink => sink,
            Kind::Source => source,
        }
    }

    /// Records a write of `kind` the API server answered with `resource_version` (`None`: the
    /// answer carried none, or the write's outcome is unknown).
    pub fn wrote(&self, kind: Kind, resource_version: Option<&str>) {
        let k = self.kind(kind);
        k.writes.fetch_add(1, Ordering::SeqCst);
        match resource_version.and_then(|v| v.parse::<u64>().ok()) {
            Some(v) => {
                k.wrote.fetch_max(v, Ordering::SeqCst);
            }
            None => {
                let until = Instant::now() + self.wait;
                *k.blind_until.lock().unwrap_or_else(PoisonError::into_inner) = Some(until);
            }
        }
    }

    /// Records that the worker deleted resource `name` of `kind` and the API server answered
    /// with a status rather than the deleted object (so without the deletion's resource version).
    pub fn deleted(&self, kind: Kind, name: &str) {
        let k = self.kind(kind);
        k.writes.fetch_add(1, Ordering::SeqCst);
        let mut d = k.deleted.lock().unwrap_or_else(PoisonError::into_inner);
        // Delivered already (within the wait): nothing to wait for.
        let recent = |(n, at): &(String, Instant)| n == name && at.elapsed() < self.wait;
        match d.delivered.iter().position(recent) {
            Some(i) => {
                d.delivered.remove(i);
            }
            None => d.pending.push((name.to_owned(), Instant::now())),
        }
    }

    /// The worker's own writes of `kind` as the mirror knows them: how many were reported, and
    /// the highest resource version among them (0: none with a version).
    pub fn own_writes(&self, kind: Kind) -> (u64, u64) {
        let k = self.kind(kind);
        (
            k.writes.load(Ordering::SeqCst),
            k.wrote.load(Ordering::SeqCst),
        )
    }

    /// Waits until the view of `kind` reflects the worker's own writes; `false` when it cannot
    /// (no watch, a write of unknown version, or the wait ran out).
    async fn current(&self, kind: Kind) -> bool {
        let k = self.kind(kind);
        let blind = *k.blind_until.lock().unwrap_or_else(PoisonError::into_inner);
        if blind.is_some_and(|t| Instant::now() < t) {
            return false;
        }
        let need = k.wrote.load(Ordering::SeqCst);
        let mut rx = k.seen.subscribe();
        // Each time the view moves on: has it every write and every deletion?
        let ready = |s: &Option<u64>| match s {
            None => true,
            Some(v) => *v >= need && k.no_deletion_pending(self.wait),
        };
        let waited = tokio::time::timeout(self.wait, rx.wait_for(ready)).await;
        matches!(waited, Ok(Ok(s)) if s.is_some())
    }

    /// Runs `read` on the view of `kind` once it reflects the worker's own writes; `None` when
    /// it cannot (see [`Mirror::current`]).
    async fn read<T>(&self, kind: Kind, read: impl FnOnce(&View) -> T) -> Option<T> {
        if !self.current(kind).await {
            return None;
        }
        let k = self.kind(kind);
        let view = k.view.read().unwrap_or_else(PoisonError::into_inner);
        Some(read(&view))
    }

    /// The stored resource `name` of `kind` (without `managedFields`).
    pub async fn resource(&self, kind: Kind, name: &str) -> Seen<Value> {
        let found = self
            .read(kind, |v| {
                v.objects.get(name).map(|e| serde_json::from_str(&e.json))
            })
            .await;
        match found {
            None | Some(Some(Err(_))) => Seen::Unknown,
            Some(None) => Seen::Absent,
            Some(Some(Ok(v))) => Seen::Present(v),
        }
    }

    /// The component names of `kind` listed under `tenant`/`namespace`, sorted.
    pub async fn names(&self, kind: Kind, tenant: &str, namespace: &str) -> Seen<Vec<String>> {
        match self.read(kind, |v| v.names(tenant, namespace)).await {
            Some(names) => Seen::Present(names),
            None => Seen::Unknown,
        }
    }

    /// Whether every kind's view is current with an open watch (for readiness).
    pub fn synced(&self) -> bool {
        self.kinds.iter().all(|k| k.seen.borrow().is_some())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::view::test_support::{listings, object};
    use super::*;

    /// What the watch does with one event: the view first, then the version seen.
    fn deliver(k: &KindMirror, name: &str, rv: u64, deleted: bool) {
        k.take(
            object(name, &rv.to_string(), "t", "n", "x"),
            deleted,
            &listings,
        );
        k.seen.send_replace(Some(rv));
    }

    fn mirror(wait_ms: u64) -> Mirror {
        Mirror {
            kinds: Default::default(),
            wait: Duration::from_millis(wait_ms),
            running: Default::default(),
        }
    }

    #[tokio::test]
    async fn reads_go_to_the_api_server_until_the_mirror_is_filled() {
        let m = mirror(50);
        assert_eq!(m.resource(Kind::Function, "r").await, Seen::Unknown);
        assert_eq!(m.names(Kind::Sink, "t", "n").await, Seen::Unknown);
        assert!(!m.synced());
    }

    #[tokio::test]
    async fn a_filled_mirror_answers_present_and_absent() {
        let m = mirror(50);
        let k = m.kind(Kind::Function);
        deliver(k, "r", 5, false);
        match m.resource(Kind::Function, "r").await {
            Seen::Present(v) => assert_eq!(v["spec"]["className"], "C"),
            other => panic!("{other:?}"),
        }
        assert_eq!(m.resource(Kind::Function, "q").await, Seen::Absent);
        assert_eq!(
            m.names(Kind::Function, "t", "n").await,
            Seen::Present(vec!["x".to_owned()])
        );
        // Other kinds are not filled.
        assert_eq!(m.resource(Kind::Source, "r").await, Seen::Unknown);
    }

    #[tokio::test]
    async fn a_read_waits_for_the_workers_own_write_to_arrive() {
        let m = Arc::new(mirror(5_000));
        let k = m.kind(Kind::Function);
        k.seen.send_replace(Some(5));
        m.wrote(Kind::Function, Some("9"));
        let reader = {
            let m = Arc::clone(&m);
            tokio::spawn(async move { m.resource(Kind::Function, "r").await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!reader.is_finished(), "answered before the write arrived");
        deliver(k, "r", 9, false);
        assert!(matches!(reader.await.unwrap(), Seen::Present(_)));
    }

    #[tokio::test]
    async fn a_write_that_never_arrives_sends_the_read_to_the_api_server() {
        let m = mirror(30);
        m.kind(Kind::Function).seen.send_replace(Some(5));
        m.wrote(Kind::Function, Some("6"));
        assert_eq!(m.resource(Kind::Function, "r").await, Seen::Unknown);
        // Once the watch delivers it, the mirror answers again.
        m.kind(Kind::Function).seen.send_replace(Some(6));
        assert_eq!(m.resource(Kind::Function, "r").await, Seen::Absent);
    }

    #[tokio::test]
    async fn a_read_after_a_delete_answered_by_a_status_waits_for_the_resource_to_go() {
        let m = Arc::new(mirror(5_000));
        let k = m.kind(Kind::Source);
        deliver(k, "r", 5, false);
        m.deleted(Kind::Source, "r");
        let reader = {
            let m = Arc::clone(&m);
            tokio::spawn(async move { m.names(Kind::Source, "t", "n").await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(
            !reader.is_finished(),
            "answered while the view still had it"
        );
        deliver(k, "r", 6, true);
        assert_eq!(reader.await.unwrap(), Seen::Present(Vec::new()));
        assert!(
            k.deleted.lock().unwrap().pending.is_empty(),
            "forgotten once delivered"
        );
        // Created again right after: reads do not wait for a deletion any more.
        deliver(k, "r", 7, false);
        let quick =
            tokio::time::timeout(Duration::from_millis(500), m.names(Kind::Source, "t", "n"));
        assert_eq!(quick.await.unwrap(), Seen::Present(vec!["x".to_owned()]));
    }

    #[tokio::test]
    async fn a_deletion_the_watch_delivered_before_the_answer_is_not_waited_for() {
        let m = mirror(5_000);
        let k = m.kind(Kind::Function);
        deliver(k, "r", 5, false);
        deliver(k, "r", 6, true);
        m.deleted(Kind::Function, "r");
        let quick =
            tokio::time::timeout(Duration::from_millis(500), m.resource(Kind::Function, "r"));
        assert_eq!(quick.await.unwrap(), Seen::Absent);
        // Claimed once: a later delete of the same name waits for its own delivery.
        m.deleted(Kind::Function, "r");
        assert_eq!(k.deleted.lock().unwrap().pending.len(), 1);
    }

    #[tokio::test]
    async fn a_write_of_unknown_version_or_a_lost_watch_sends_reads_to_the_api_server() {
        let m = mirror(5_000);
        let k = m.kind(Kind::Sink);
        k.seen.send_replace(Some(5));
        assert_eq!(m.resource(Kind::Sink, "r").await, Seen::Absent);
        m.wrote(Kind::Sink, None);
        assert_eq!(m.resource(Kind::Sink, "r").await, Seen::Unknown);
        m.wrote(Kind::Sink, Some("12"));
        m.deleted(Kind::Sink, "q");
        assert_eq!(m.own_writes(Kind::Sink), (3, 12));
        assert_eq!(m.own_writes(Kind::Function), (0, 0));
        let m = mirror(5_000);
        let k = m.kind(Kind::Sink);
        k.seen.send_replace(Some(5));
        m.wrote(Kind::Sink, Some("not-a-number"));
        assert_eq!(m.names(Kind::Sink, "t", "n").await, Seen::Unknown);
        let m = mirror(5_000);
        let k = m.kind(Kind::Sink);
        k.seen.send_replace(None);
        assert_eq!(m.names(Kind::Sink, "t", "n").await, Seen::Unknown);
    }
}
