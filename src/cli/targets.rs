//! Targets as `run` wraps them: a per-request timeout for targets that have none of their own
//! (the SDK), with the give-up rule of `HttpTarget`, so that `run --via sdk` against a hanging
//! target ends too; and a stop switch for Ctrl-C.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use crate::contract::{RawRequest, Response, TransportFailure, TransportFailureKind};
use crate::target::{BoxFuture, HttpTargetOptions, Target};

/// `inner`, each request bounded by [`HttpTargetOptions::timeout`], given up on after
/// [`HttpTargetOptions::max_consecutive_timeouts`] timeouts in a row or
/// [`HttpTargetOptions::max_timeouts`] in all (the other options are not used), as
/// [`HttpTarget`](crate::target::HttpTarget) does for its own requests.
#[cfg_attr(not(feature = "sdk"), allow(dead_code))]
pub(crate) struct Bounded<T> {
    /// The target bounded.
    inner: T,
    /// The timeout and the limits.
    options: HttpTargetOptions,
    /// Timeouts since the last answer.
    consecutive: AtomicUsize,
    /// Timeouts in all.
    total: AtomicUsize,
    /// Set once a limit is reached.
    gave_up: AtomicBool,
}

#[cfg_attr(not(feature = "sdk"), allow(dead_code))]
impl<T: Target> Bounded<T> {
    /// `inner`, bounded by these options.
    pub(crate) fn new(inner: T, options: HttpTargetOptions) -> Self {
        Bounded {
            inner,
            options,
            consecutive: AtomicUsize::new(0),
            total: AtomicUsize::new(0),
            gave_up: AtomicBool::new(false),
        }
    }

    /// Whether the target was given up on.
    pub(crate) fn gave_up(&self) -> bool {
        self.gave_up.load(Ordering::SeqCst)
    }

    /// How many requests timed out.
    pub(crate) fn timeouts(&self) -> usize {
        self.total.load(Ordering::SeqCst)
    }

    async fn exchange(&self, request: &RawRequest) -> Response {
        let timeout = self.options.timeout;
        if self.gave_up() {
            return Err(TransportFailure::new(
                TransportFailureKind::NotSent,
                format!(
                    "the gate gave up on the target after {} timeouts of {} ms",
                    self.timeouts(),
                    timeout.as_millis()
                ),
            ));
        }
        let response = tokio::time::timeout(timeout, self.inner.send(request))
            .await
            .unwrap_or_else(|_| Err(timed_out(timeout)));
        match &response {
            Err(failure) if failure.kind == TransportFailureKind::Timeout => {
                let consecutive = self.consecutive.fetch_add(1, Ordering::SeqCst) + 1;
                let total = self.total.fetch_add(1, Ordering::SeqCst) + 1;
                let reached = |limit: usize, count: usize| limit > 0 && count >= limit;
                if reached(self.options.max_consecutive_timeouts, consecutive)
                    || reached(self.options.max_timeouts, total)
                {
                    self.gave_up.store(true, Ordering::SeqCst);
                }
            }
            _ => self.consecutive.store(0, Ordering::SeqCst),
        }
        response
    }
}

/// The failure of a request that got no answer in time.
#[cfg_attr(not(feature = "sdk"), allow(dead_code))]
fn timed_out(timeout: Duration) -> TransportFailure {
    TransportFailure::new(
        TransportFailureKind::Timeout,
        format!("no complete response within {} ms", timeout.as_millis()),
    )
}

impl<T: Target> Target for Bounded<T> {
    fn send<'a>(&'a self, request: &'a RawRequest) -> BoxFuture<'a, Response> {
        Box::pin(self.exchange(request))
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn authority(&self) -> String {
        self.inner.authority()
    }

    /// What the inner target can send, until it is given up on; nothing after.
    fn can_send(&self, request: &RawRequest) -> bool {
        !self.gave_up() && self.inner.can_send(request)
    }
}

/// `inner` until `stop` is set, then nothing: once Ctrl-C is pressed, the runner sends no
/// further request, not even to shrink a counterexample (it skips the requests a target cannot
/// send). The request in flight is not cut short: its answer is judged as any other.
pub(crate) struct Interruptible<T> {
    /// The target.
    inner: T,
    /// Set by the Ctrl-C handler.
    stop: Arc<AtomicBool>,
}

impl<T: Target> Interruptible<T> {
    /// `inner`, until `stop` is set.
    pub(crate) fn new(inner: T, stop: Arc<AtomicBool>) -> Self {
        Interruptible { inner, stop }
    }
}

impl<T: Target> Target for Interruptible<T> {
    fn send<'a>(&'a self, request: &'a RawRequest) -> BoxFuture<'a, Response> {
        self.inner.send(request)
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn authority(&self) -> String {
        self.inner.authority()
    }

    /// What the inner target can send, until the run is stopped; nothing after.
    fn can_send(&self, request: &RawRequest) -> bool {
        !self.stop.load(Ordering::SeqCst) && self.inner.can_send(request)
    }
}
