//! The REST client: one pooled HTTP client per server, error mapping, metrics, coalescing and
//! caching around every request. The typed endpoint methods are in [`crate::api`].

use std::any::Any;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::Deserialize;
use serde::de::DeserializeOwned;

pub use crate::body::MAX_BODY_BYTES;
use crate::body::{BodyError, read_capped, too_large_reason};
use crate::cache::{CacheKind, Caches, Clock, SystemClock};
use crate::coalesce::{AnyArc, SingleFlight};
use crate::config::ClientConfig;
use crate::endpoint::{Endpoint, Method};
use crate::error::{Error, Result, redact};
use crate::lifecycle::Lifecycle;
use crate::metrics::{CacheStatsSnapshot, Metrics, MetricsSnapshot};

/// One request: an endpoint, the values of its path parameters, its query and optional body.
#[derive(Debug, Clone)]
pub struct Call {
    pub endpoint: Endpoint,
    path_params: Vec<(&'static str, String)>,
    query: Vec<(&'static str, String)>,
    body: Option<serde_json::Value>,
    timeout: Option<Duration>,
    /// Another `X-Emby-Authorization` identity than the client's (a sign-in as another device).
    identity: Option<String>,
}

impl Call {
    pub fn new(endpoint: Endpoint) -> Self {
        Self {
            endpoint,
            path_params: Vec::new(),
            query: Vec::new(),
            body: None,
            timeout: None,
            identity: None,
        }
    }

    /// Sends this request with another `X-Emby-Authorization` header value.
    pub(crate) fn identity(mut self, header: String) -> Self {
        self.identity = Some(header);
        self
    }

    /// Binds the path parameter `{name}` of the template.
    pub fn path(mut self, name: &'static str, value: impl Into<String>) -> Self {
        debug_assert!(
            self.endpoint.template().contains(&format!("{{{name}}}")),
            "{{{name}}} is not in {}",
            self.endpoint.template()
        );
        self.path_params.push((name, value.into()));
        self
    }

    /// Adds a query parameter; it must be one of [`Endpoint::query_params`] (the table the
    /// OpenAPI test checks), which debug builds and every test enforce.
    pub fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        debug_assert!(
            self.endpoint.query_params().contains(&name),
            "{name} is not a query parameter of {} in endpoint.rs",
            self.endpoint.template()
        );
        self.query.push((name, value.to_string()));
        self
    }

    /// The query parameter names of this call (tests).
    pub fn query_names(&self) -> Vec<&'static str> {
        self.query.iter().map(|(n, _)| *n).collect()
    }

    pub fn query_opt(self, name: &'static str, value: Option<impl ToString>) -> Self {
        match value {
            Some(v) => self.query(name, v),
            None => self,
        }
    }

    /// A list parameter joined with `sep` (`,` for most, `|` for Genres/Studios/...); omitted
    /// when empty.
    pub fn query_list<S: AsRef<str>>(self, name: &'static str, values: &[S], sep: &str) -> Self {
        if values.is_empty() {
            return self;
        }
        let joined = values
            .iter()
            .map(AsRef::as_ref)
            .collect::<Vec<_>>()
            .join(sep);
        self.query(name, joined)
    }

    pub fn json(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Overrides the client's default timeout for this call.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// The path segments, template parameters substituted (values are encoded by `url`).
    fn segments(&self) -> Vec<&str> {
        self.endpoint
            .template()
            .split('/')
            .filter(|s| !s.is_empty())
            .map(
                |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => self
                        .path_params
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map_or(seg, |(_, v)| v.as_str()),
                    None => seg,
                },
            )
            .collect()
    }

    /// Whether every path parameter of the template is bound to a usable segment.
    fn path_is_valid(&self) -> bool {
        self.path_params.iter().all(|(_, v)| is_path_segment(v))
    }

    /// Identity of the request for coalescing and caching: method, path and sorted query.
    pub fn key(&self) -> String {
        let mut q = self.query.clone();
        q.sort();
        let mut key = format!(
            "{} /{}",
            self.endpoint.method().as_str(),
            self.segments().join("/")
        );
        for (k, v) in q {
            key.push(if key.contains('?') { '&' } else { '?' });
            key.push_str(k);
            key.push('=');
            key.push_str(&v);
        }
        key
    }

    /// `path?query` relative to the server (for logs and URL helpers; never contains the key).
    pub fn relative_url(&self) -> String {
        let mut url = url::Url::parse("http://x/").expect("static URL parses");
        if let Ok(mut segs) = url.path_segments_mut() {
            segs.clear().extend(self.segments());
        }
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(self.query.iter());
        }
        let s = url.as_str();
        s.strip_prefix("http://x").unwrap_or(s).to_owned()
    }
}

tokio::task_local! {
    /// The timeout of the calls made inside [`with_timeout`].
    static CALL_TIMEOUT: Duration;
}

/// Runs `fut` with `timeout` (when given) instead of the client's default for every request it
/// makes. A call that joins an identical request already in flight waits for that request, on
/// the timeout it was started with.
pub async fn with_timeout<F: std::future::Future>(timeout: Option<Duration>, fut: F) -> F::Output {
    match timeout {
        Some(t) => CALL_TIMEOUT.scope(t, fut).await,
        None => fut.await,
    }
}

/// Whether `value` can be one path segment: `..` and `.` would be resolved away by the URL
/// (`/Users/u/PlayedItems/..` is `/Users/u`), and an empty one changes the route.
pub fn is_path_segment(value: &str) -> bool {
    !matches!(value, "" | "." | "..")
}

/// How a GET is cached.
#[derive(Debug, Clone)]
pub enum CachePolicy {
    /// Not cached; concurrent identical calls are still coalesced.
    None,
    /// Browse cache, tagged with the user and the item/parent ids it depends on; `listing` for
    /// lists (which any library change may alter), not for an item's details.
    Browse {
        user: Option<String>,
        items: Vec<String>,
        listing: bool,
    },
    /// Discovery cache of one user.
    Discovery { user: String },
}

pub(crate) struct Inner {
    pub(crate) config: ClientConfig,
    base: url::Url,
    auth_header: String,
    /// The connection pool; dropped by `close()` so that no keep-alive connection outlives the
    /// client (an entry reloaded 50 times left 100 idle connections behind for a minute).
    http: std::sync::RwLock<Option<reqwest::Client>>,
    tls: Arc<rustls::ClientConfig>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) lifecycle: Arc<Lifecycle>,
    pub(crate) caches: Caches,
    inflight: SingleFlight,
    /// The WebSocket's handle, once started. Typed by `websocket/` (which builds on this
    /// module, not the other way round).
    pub(crate) websocket: std::sync::OnceLock<Box<dyn Attachment>>,
    /// User access tokens for the URLs of player devices, by user id ([`crate::playback`]).
    pub(crate) media_tokens: std::sync::Mutex<std::collections::HashMap<String, String>>,
    /// Every client's session as last handed to the reader ([`crate::session_changes`]).
    pub(crate) sessions: crate::session_changes::SessionTracker,
    /// The last `GET /Sessions` answer, for the next to share what did not change
    /// ([`crate::shared_sessions`]).
    pub(crate) polled_sessions: std::sync::Mutex<crate::shared_sessions::SessionReuse>,
}

/// Something started on a client that must hear of its `close()`: the WebSocket's handle, whose
/// type lives in `websocket/` (that module builds on this one, not the other way round).
pub trait Attachment: Send + Sync {
    /// The client was closed (not called at interpreter exit).
    fn closed(&self);
    /// For the owner to get its own type back.
    fn as_any(&self) -> &dyn Any;
}

/// The Emby client: cheap to clone (an `Arc` inside), one per server.
#[derive(Clone)]
pub struct EmbyClient {
    pub(crate) inner: Arc<Inner>,
    /// This handle's request timeout, when it differs from the configured one.
    timeout: Option<Duration>,
}

impl std::fmt::Debug for EmbyClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbyClient")
            .field("server", &self.inner.base.as_str())
            .finish_non_exhaustive()
    }
}

impl EmbyClient {
    /// Builds the client (loads the trust store once per process; no I/O to the server).
    /// Blocking: call it off the event loop.
    pub fn new(config: ClientConfig) -> Result<Self> {
        Self::with_clock(config, Arc::new(SystemClock::default()))
    }

    /// As [`EmbyClient::new`], with the clock the caches use for their TTL (tests).
    pub fn with_clock(config: ClientConfig, clock: Arc<dyn Clock>) -> Result<Self> {
        let base_text = config.address.http_base();
        let base = url::Url::parse(&base_text)
            .map_err(|e| Error::InvalidHost(format!("{base_text}: {e}")))?;
        let tls = crate::tls::client_config(config.verify_ssl);
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured((*tls).clone())
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .pool_idle_timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(8)
            .redirect(crate::redirect::policy(&base))
            .no_proxy()
            .user_agent(format!(
                "{}/{} embymedia_core/{}",
                config.client_name.replace(' ', ""),
                config.client_version,
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .map_err(|e| Error::InvalidHost(redact(&format!("cannot build HTTP client: {e}"))))?;
        let metrics = Arc::new(Metrics::default());
        let caches = Caches::new(clock, &metrics);
        Ok(Self {
            inner: Arc::new(Inner {
                auth_header: config.authorization_header(),
                config,
                base,
                http: std::sync::RwLock::new(Some(http)),
                tls,
                metrics,
                lifecycle: Lifecycle::new(),
                caches,
                inflight: SingleFlight::default(),
                websocket: std::sync::OnceLock::new(),
                media_tokens: std::sync::Mutex::default(),
                sessions: crate::session_changes::SessionTracker::default(),
                polled_sessions: std::sync::Mutex::default(),
            }),
            timeout: None,
        })
    }

    /// The same client (connections, caches, metrics, lifecycle) with `timeout` for every
    /// request made through the returned handle instead of the configured default. A call that
    /// joins an identical request already in flight waits on that request's timeout.
    pub fn with_default_timeout(&self, timeout: Duration) -> Self {
        Self {
            inner: self.inner.clone(),
            timeout: Some(timeout),
        }
    }

    /// The timeout of requests made through this handle.
    pub fn timeout(&self) -> Duration {
        self.timeout.unwrap_or(self.inner.config.timeout)
    }

    /// `http(s)://host:port/base`, without credentials.
    pub fn server_url(&self) -> &str {
        self.inner.base.as_str().trim_end_matches('/')
    }

    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The TLS configuration shared with the WebSocket (same `verify_ssl` decision).
    pub fn tls_config(&self) -> Arc<rustls::ClientConfig> {
        self.inner.tls.clone()
    }

    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.inner.metrics
    }

    /// Cancellation and task tracking; the WebSocket spawns its tasks on `lifecycle().tracker()`.
    pub fn lifecycle(&self) -> &Arc<Lifecycle> {
        &self.inner.lifecycle
    }

    /// Every client's session as last handed to the reader: turns snapshots into changes.
    pub fn session_tracker(&self) -> &crate::session_changes::SessionTracker {
        &self.inner.sessions
    }

    pub fn is_closed(&self) -> bool {
        self.inner.lifecycle.is_closed()
    }

    /// Stops every request and background task and waits for them; idempotent.
    pub async fn close(&self) {
        self.inner.lifecycle.close().await;
        // Every request has ended: the pool and its idle connections go now, not when the
        // last handle of the client is dropped.
        self.inner
            .http
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        // Ends what was started on the client (the WebSocket's event stream).
        if let Some(ws) = self.inner.websocket.get() {
            ws.closed();
        }
        self.inner.caches.invalidate_all();
        log::debug!(target: "embymedia_core::client", "client for {} closed", self.server_url());
    }

    /// The whole diagnostics snapshot.
    pub fn metrics_snapshot(&self) -> MetricsSnapshot {
        let m = &self.inner.metrics;
        let (browse, discovery) = self.inner.caches.stats(m);
        MetricsSnapshot {
            efficiency_metrics: m.efficiency(),
            cache_stats: CacheStatsSnapshot::new(
                browse,
                discovery,
                m.inflight_coalesced
                    .load(std::sync::atomic::Ordering::Relaxed),
            ),
        }
    }

    // ---------------------------------------------------------------------------------------
    // Request plumbing
    // ---------------------------------------------------------------------------------------

    fn url_for(&self, call: &Call) -> url::Url {
        let mut url = self.inner.base.clone();
        if let Ok(mut segs) = url.path_segments_mut() {
            segs.pop_if_empty().extend(call.segments());
        }
        if !call.query.is_empty() {
            url.query_pairs_mut().extend_pairs(call.query.iter());
        }
        url
    }

    /// Where errors say the request went: server URL and endpoint template (no ids, no query).
    fn describe(&self, endpoint: Endpoint) -> String {
        redact(&format!("{}{}", self.server_url(), endpoint.template()))
    }

    /// Sends one request upstream; returns the body and its content type. Every error is mapped
    /// to [`Error`], and the call is recorded in the metrics.
    pub(crate) async fn send(&self, call: &Call) -> Result<(Bytes, Option<String>)> {
        if !call.path_is_valid() {
            // No item, user or session has such an id; sending it would reach another route.
            return Err(Error::NotFound {
                endpoint: call.endpoint.template().to_owned(),
            });
        }
        // A request's first poll may run on Python's event-loop thread (the binding polls every
        // call once there, so that what needs no I/O, a cache hit above all, is answered without
        // leaving it): the request's own work starts on the runtime.
        tokio::task::yield_now().await;
        let started = Instant::now();
        let result = self
            .inner
            .lifecycle
            .run(self.send_inner(call))
            .await
            .map_err(|e| self.scrub(e));
        let ok = result.is_ok();
        if !matches!(result, Err(Error::Closed)) {
            self.inner
                .metrics
                .record_api_call(call.endpoint, started.elapsed(), ok);
        }
        if let Err(e) = &result {
            log::debug!(target: "embymedia_core::http", "{} {} failed: {e}",
                call.endpoint.method().as_str(), call.endpoint.template());
        }
        result
    }

    async fn send_inner(&self, call: &Call) -> Result<(Bytes, Option<String>)> {
        let timeout = call
            .timeout
            .or_else(|| CALL_TIMEOUT.try_with(|t| *t).ok())
            .unwrap_or_else(|| self.timeout());
        let url = self.url_for(call);
        let method = match call.endpoint.method() {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
        };
        let http = self
            .inner
            .http
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            .ok_or(Error::Closed)?;
        let mut req = http
            .request(method, url)
            .timeout(timeout)
            .header("X-Emby-Token", self.inner.config.api_key.expose())
            .header(
                "X-Emby-Authorization",
                call.identity.as_deref().unwrap_or(&self.inner.auth_header),
            )
            .header(reqwest::header::ACCEPT, "application/json");
        req = match &call.body {
            Some(body) => req
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(serde_json::to_vec(body).unwrap_or_default()),
            None if call.endpoint.method() == Method::Post => req.body(Vec::new()),
            None => req,
        };
        let endpoint = call.endpoint;
        let resp = req
            .send()
            .await
            .map_err(|e| self.transport_error(&e, endpoint, timeout))?;
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = read_capped(resp, MAX_BODY_BYTES)
            .await
            .map_err(|e| match e {
                BodyError::TooLarge => Error::UnexpectedResponse {
                    endpoint: endpoint.template().to_owned(),
                    reason: too_large_reason(),
                },
                BodyError::Transport(e) if e.is_timeout() => Error::Timeout {
                    url: self.describe(endpoint),
                    timeout,
                },
                BodyError::Transport(e) => Error::InvalidJson {
                    endpoint: endpoint.template().to_owned(),
                    reason: format!("truncated body ({})", redact(&error_chain(&e))),
                },
            })?;
        match status {
            200..=299 => Ok((body, content_type)),
            401 | 403 => Err(Error::InvalidAuth {
                endpoint: endpoint.template().to_owned(),
                status,
            }),
            404 => Err(Error::NotFound {
                endpoint: endpoint.template().to_owned(),
            }),
            500..=599 => Err(Error::Server {
                endpoint: endpoint.template().to_owned(),
                status,
            }),
            _ if is_html(&body, content_type.as_deref()) => Err(Error::HtmlPage {
                endpoint: endpoint.template().to_owned(),
                status: Some(status),
            }),
            _ => Err(Error::UnexpectedResponse {
                endpoint: endpoint.template().to_owned(),
                reason: format!("HTTP {status}{}", body_hint(&body)),
            }),
        }
    }

    fn transport_error(&self, e: &reqwest::Error, endpoint: Endpoint, timeout: Duration) -> Error {
        let url = self.describe(endpoint);
        if e.is_timeout() {
            return Error::Timeout { url, timeout };
        }
        if let Some(reason) = crate::redirect::refused_redirect(e) {
            return Error::UnexpectedResponse {
                endpoint: endpoint.template().to_owned(),
                reason,
            };
        }
        let reason = redact(&error_chain(e));
        if let Some(tls) = crate::tls::find_error(e) {
            return Error::Ssl {
                url,
                reason: redact(&tls),
            };
        }
        if e.is_body() || e.is_decode() {
            return Error::InvalidJson {
                endpoint: endpoint.template().to_owned(),
                reason,
            };
        }
        Error::CannotConnect { url, reason }
    }

    /// `e` without the key, in any form (the server may echo it in a body serde quotes).
    fn scrub(&self, e: Error) -> Error {
        e.scrubbed(self.inner.config.api_key.expose())
    }

    /// GET + JSON parse, through the cache named by `policy` and always coalesced.
    pub(crate) async fn get_json<T>(&self, call: Call, policy: CachePolicy) -> Result<Arc<T>>
    where
        T: DeserializeOwned + Send + Sync + 'static,
    {
        self.get_parsed(call, policy, |bytes, ct, ep| parse_json::<T>(bytes, ct, ep))
            .await
    }

    /// GET through cache and coalescing with a custom parser (`parse` runs once per upstream
    /// response, its result is shared by every waiter).
    pub(crate) async fn get_parsed<T, P>(
        &self,
        call: Call,
        policy: CachePolicy,
        parse: P,
    ) -> Result<Arc<T>>
    where
        T: Send + Sync + 'static,
        P: FnOnce(&[u8], Option<&str>, Endpoint) -> Result<T> + Send + 'static,
    {
        if self.is_closed() {
            return Err(Error::Closed);
        }
        let key = call.key();
        let fetch = {
            let client = self.clone();
            move || async move {
                let endpoint = call.endpoint;
                let (body, ct) = client.send(&call).await?;
                let value = parse(&body, ct.as_deref(), endpoint)
                    .inspect_err(|_| client.inner.metrics.record_api_unusable(endpoint))
                    .map_err(|e| client.scrub(e))?;
                Ok(Arc::new(value) as AnyArc)
            }
        };
        let any = match policy.kind() {
            None => {
                let (result, joined) = self.inner.inflight.run(key, fetch).await;
                if joined {
                    self.inner
                        .metrics
                        .inflight_coalesced
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                result?
            }
            Some(kind) => {
                self.inner
                    .caches
                    .get_or_fetch(kind, key, policy.tags(), fetch)
                    .await?
            }
        };
        downcast(any, call_endpoint_name::<T>())
    }

    /// POST, body ignored (Emby answers 204 or 200 with an empty body).
    pub(crate) async fn post(&self, call: Call) -> Result<()> {
        if self.is_closed() {
            return Err(Error::Closed);
        }
        self.send(&call).await.map(|_| ())
    }

    /// POST with a JSON answer.
    pub(crate) async fn post_json<T: DeserializeOwned>(&self, call: Call) -> Result<T> {
        if self.is_closed() {
            return Err(Error::Closed);
        }
        let endpoint = call.endpoint;
        let (body, ct) = self.send(&call).await?;
        parse_json(&body, ct.as_deref(), endpoint)
            .inspect_err(|_| self.inner.metrics.record_api_unusable(endpoint))
            .map_err(|e| self.scrub(e))
    }

    /// POST whose JSON answer is optional: `None` when the body is empty (Emby documents a
    /// result for these routes, but answers 204 on some versions).
    pub(crate) async fn post_json_opt<T: DeserializeOwned>(&self, call: Call) -> Result<Option<T>> {
        if self.is_closed() {
            return Err(Error::Closed);
        }
        let endpoint = call.endpoint;
        let (body, ct) = self.send(&call).await?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        parse_json(&body, ct.as_deref(), endpoint)
            .inspect_err(|_| self.inner.metrics.record_api_unusable(endpoint))
            .map_err(|e| self.scrub(e))
            .map(Some)
    }

    /// GET returning raw bytes and content type, coalesced but never cached (images).
    pub(crate) async fn get_bytes(&self, call: Call) -> Result<Arc<(Bytes, String)>> {
        self.get_parsed(call, CachePolicy::None, |body, ct, _| {
            Ok((
                Bytes::copy_from_slice(body),
                ct.unwrap_or("application/octet-stream").to_owned(),
            ))
        })
        .await
    }
}

impl CachePolicy {
    fn kind(&self) -> Option<CacheKind> {
        match self {
            CachePolicy::None => None,
            CachePolicy::Browse { .. } => Some(CacheKind::Browse),
            CachePolicy::Discovery { .. } => Some(CacheKind::Discovery),
        }
    }

    fn tags(self) -> crate::cache::Tags {
        match self {
            CachePolicy::None => crate::cache::Tags::default(),
            CachePolicy::Browse {
                user,
                items,
                listing,
            } => crate::cache::Tags {
                user,
                items,
                listing,
            },
            CachePolicy::Discovery { user } => crate::cache::Tags {
                user: Some(user),
                items: Vec::new(),
                listing: true,
            },
        }
    }
}

fn call_endpoint_name<T>() -> &'static str {
    std::any::type_name::<T>()
}

fn downcast<T: Send + Sync + 'static>(any: AnyArc, name: &'static str) -> Result<Arc<T>> {
    (any as Arc<dyn Any + Send + Sync>)
        .downcast::<T>()
        .map_err(|_| Error::UnexpectedResponse {
            endpoint: name.to_owned(),
            reason: "internal type mismatch in the response cache".into(),
        })
}

/// Parses a JSON body, telling apart HTML pages, truncated and otherwise invalid JSON.
pub(crate) fn parse_json<'a, T: Deserialize<'a>>(
    body: &'a [u8],
    content_type: Option<&str>,
    endpoint: Endpoint,
) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| {
        let endpoint = endpoint.template().to_owned();
        if is_html(body, content_type) {
            // Only 2xx bodies are parsed: error statuses were mapped before.
            return Error::HtmlPage {
                endpoint,
                status: None,
            };
        }
        let invalid = |reason: String| Error::InvalidJson {
            endpoint: endpoint.clone(),
            reason,
        };
        if body.iter().all(u8::is_ascii_whitespace) {
            invalid("an empty body instead of JSON".to_owned())
        } else if e.is_eof() {
            invalid(format!("truncated JSON ({} bytes)", body.len()))
        } else if e.is_syntax() {
            invalid(format!("invalid JSON: {e}"))
        } else {
            Error::UnexpectedResponse {
                endpoint: endpoint.clone(),
                reason: format!("JSON of an unexpected shape: {e}"),
            }
        }
    })
}

/// Whether a body is an HTML page (by its first character or its declared type).
fn is_html(body: &[u8], content_type: Option<&str>) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
        || content_type.is_some_and(|c| c.to_ascii_lowercase().contains("html"))
}

/// A short, safe hint of what a non-2xx body said.
fn body_hint(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        String::new()
    } else if trimmed.starts_with('<') {
        " (HTML page)".to_owned()
    } else {
        let line: String = trimmed
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(100)
            .collect();
        format!(": {}", redact(&line))
    }
}

/// The error and its sources, joined (the top-level reqwest message names the URL; the causes
/// say what happened).
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = Vec::new();
    let mut cur = e.source();
    while let Some(s) = cur {
        parts.push(s.to_string());
        cur = s.source();
    }
    if parts.is_empty() {
        parts.push(e.to_string());
    }
    parts.dedup();
    parts.join(": ")
}
