//! The worker's mirror of the Function, Sink and Source resources of its namespace, kept current
//! by a watch: `get` and `list` are answered from it, the way Pulsar's own worker answers them
//! from the function metadata it keeps by tailing its metadata topic.
//!
//! - **Filled page by page.** The (re)list that starts each watch reads the API server
//!   [`Store::list_page_size`] objects at a time (`limit`/`continue`); a page's objects are
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

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use futures::StreamExt;
use kube::api::{DynamicObject, ListParams, WatchEvent, WatchParams};
use serde_json::Value;

use crate::store::Store;
use crate::Kind;

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
    /// Resources the worker deleted while the API server answered with a bare status (no
    /// resource version), with when: reads wait until the watch delivers their deletion (or
    /// the wait runs out).
    deleted: Mutex<Vec<(String, Instant)>>,
}

#[derive(Default)]
struct View {
    /// By resource name.
    objects: HashMap<String, Entry>,
    /// `(tenant, namespace, component name, resource name)`, for list.
    listed: BTreeSet<(String, String, String, String)>,
}

struct Entry {
    /// The resource's JSON without `managedFields`.
    json: Box<str>,
    listings: Vec<Listing>,
}

impl View {
    fn insert(&mut self, name: String, entry: Entry) {
        self.remove(&name);
        for (t, ns, n) in &entry.listings {
            self.listed
                .insert((t.clone(), ns.clone(), n.clone(), name.clone()));
        }
        self.objects.insert(name, entry);
    }

    fn remove(&mut self, name: &str) {
        if let Some(old) = self.objects.remove(name) {
            for (t, ns, n) in old.listings {
                self.listed.remove(&(t, ns, n, name.to_owned()));
            }
        }
    }

    /// The component names listed under `tenant`/`namespace`, sorted, each once.
    fn names(&self, tenant: &str, namespace: &str) -> Vec<String> {
        let from = (
            tenant.to_owned(),
            namespace.to_owned(),
            String::new(),
            String::new(),
        );
        let mut out: Vec<String> = Vec::new();
        for (t, ns, n, _) in self.listed.range(from..) {
            if t != tenant || ns != namespace {
                break;
            }
            if out.last() != Some(n) {
                out.push(n.clone());
            }
        }
        out
    }
}

impl KindMirror {
    /// Whether no deletion of the worker's is still to be delivered (those older than `wait`
    /// are given up).
    fn no_deletion_pending(&self, wait: Duration) -> bool {
        let mut deleted = self.deleted.lock().unwrap_or_else(PoisonError::into_inner);
        deleted.retain(|(_, at)| at.elapsed() < wait);
        deleted.is_empty()
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

    /// The watch delivered the deletion of `name`.
    fn deletion_delivered(&self, name: &str) {
        self.deleted
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|(n, _)| n != name);
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
            deleted: Mutex::new(Vec::new()),
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
    /// How long a read waits for the watch to deliver the worker's own last write.
    pub const DEFAULT_WAIT: Duration = Duration::from_secs(2);
    /// How long one watch call lasts before the API server ends it (and it is opened again).
    const WATCH_SECONDS: u32 = 290;
    /// A watch silent for this long (no event; bookmarks come about once a minute) is taken
    /// for a dropped connection and opened again.
    const IDLE: Duration = Duration::from_secs(90);

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
        k.deleted
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((name.to_owned(), Instant::now()));
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
            let params = WatchParams::default().timeout(Self::WATCH_SECONDS);
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
                let event = match tokio::time::timeout(Self::IDLE, stream.next()).await {
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

/// Puts `object` into `view` (or takes it out).
fn apply(view: &mut View, mut object: DynamicObject, deleted: bool, listings: &ListingFn) {
    let Some(name) = object.metadata.name.clone() else {
        return;
    };
    if deleted {
        view.remove(&name);
        return;
    }
    object.metadata.managed_fields = None;
    let listed = object
        .metadata
        .labels
        .as_ref()
        .map(listings)
        .unwrap_or_default();
    match serde_json::to_string(&object) {
        Ok(json) => view.insert(
            name,
            Entry {
                json: json.into_boxed_str(),
                listings: listed,
            },
        ),
        // Cannot happen for an object that was just read from JSON; not kept if it does.
        Err(_) => view.remove(&name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listings(labels: &BTreeMap<String, String>) -> Vec<Listing> {
        match (labels.get("t"), labels.get("ns"), labels.get("n")) {
            (Some(t), Some(ns), Some(n)) => vec![(t.clone(), ns.clone(), n.clone())],
            _ => Vec::new(),
        }
    }

    fn object(name: &str, rv: &str, t: &str, ns: &str, n: &str) -> DynamicObject {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "compute.functionmesh.io/v1alpha1", "kind": "Function",
            "metadata": {
                "name": name, "resourceVersion": rv,
                "labels": {"t": t, "ns": ns, "n": n},
                "managedFields": [{"manager": "fmesh-worker", "operation": "Apply"}]
            },
            "spec": {"className": "C"}
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Applies one object (`name` at `rv`, listed as tenant/namespace/name `at`) to `v`, or
    /// takes it out.
    fn put(v: &mut View, name: &str, rv: &str, at: (&str, &str, &str), deleted: bool) {
        apply(v, object(name, rv, at.0, at.1, at.2), deleted, &listings);
    }

    /// What the watch does with one event: the view first, then the version seen.
    fn deliver(k: &KindMirror, name: &str, rv: u64, deleted: bool) {
        k.take(
            object(name, &rv.to_string(), "t", "n", "x"),
            deleted,
            &listings,
        );
        k.seen.send_replace(Some(rv));
    }

    #[test]
    fn a_view_lists_each_name_once_sorted_and_forgets_deleted_ones() {
        let mut v = View::default();
        put(&mut v, "r-b", "1", ("public", "default", "b"), false);
        put(&mut v, "r-a", "2", ("public", "default", "a"), false);
        put(&mut v, "r-a2", "3", ("public", "default", "a"), false);
        put(&mut v, "r-c", "4", ("public", "other", "c"), false);
        put(&mut v, "r-d", "5", ("publicx", "default", "d"), false);
        assert_eq!(v.names("public", "default"), ["a", "b"]);
        assert_eq!(v.names("public", "other"), ["c"]);
        assert!(v.names("public", "none").is_empty());
        put(&mut v, "r-a", "6", ("public", "default", "a"), true);
        assert_eq!(v.names("public", "default"), ["a", "b"]);
        put(&mut v, "r-a2", "7", ("public", "default", "a"), true);
        assert_eq!(v.names("public", "default"), ["b"]);
        // A relabelled resource moves.
        put(&mut v, "r-b", "8", ("public", "other", "b"), false);
        assert!(v.names("public", "default").is_empty());
        assert_eq!(v.names("public", "other"), ["b", "c"]);
    }

    #[test]
    fn a_kept_resource_has_no_managed_fields() {
        let mut v = View::default();
        put(&mut v, "r", "1", ("t", "n", "x"), false);
        let json = &v.objects["r"].json;
        assert!(!json.contains("managedFields"), "{json}");
        assert!(json.contains("\"className\":\"C\""), "{json}");
    }

    fn mirror(wait_ms: u64) -> Mirror {
        Mirror {
            kinds: Default::default(),
            wait: Duration::from_millis(wait_ms),
            running: Default::default(),
        }
    }

    #[test]
    fn retries_back_off_up_to_a_minute() {
        let secs: Vec<u64> = (1..=9).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(backoff(u32::MAX), Duration::from_secs(60));
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
            k.deleted.lock().unwrap().is_empty(),
            "forgotten once delivered"
        );
        // Created again right after: reads do not wait for a deletion any more.
        deliver(k, "r", 7, false);
        let quick =
            tokio::time::timeout(Duration::from_millis(500), m.names(Kind::Source, "t", "n"));
        assert_eq!(quick.await.unwrap(), Seen::Present(vec!["x".to_owned()]));
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
