//! The one retry policy of the program. Every backend call of [`super::Client`] goes through
//! [`run`], which decides from the kind of request ([`Replay`]) and the classified failure
//! whether the same request may be sent again, and when. Nothing above the client repeats a
//! request on its own: the worker and the CLI only decide what to do once the client gave up.
//!
//! Creates are never repeated here: a create whose answer was lost may have been accepted,
//! and a second one would start (and bill) a second generation. They are reconciled against
//! the server's task lists instead (see [`super::reconcile`]).

use std::sync::Arc;
use std::time::Duration;

use super::{ApiError, NetworkKind};

/// Backoff and limits of the retries. [`Default`] is for real use; tests use
/// [`RetryPolicy::fast`] so a fault matrix runs in milliseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// The delay before the first retry.
    pub base: Duration,
    /// Each further retry waits this many times longer.
    pub factor: f64,
    /// ± this fraction of random spread on every delay, so many clients hit by the same
    /// outage do not come back in lockstep.
    pub jitter: f64,
    /// No backoff delay is longer than this. A `Retry-After` longer than this is not waited
    /// out inside a call: the error goes up with its `retry_after`, and the caller decides
    /// (the poll waits that long; the user is told when to retry).
    pub cap: Duration,
    /// At most this many retries after the first attempt.
    pub max_retries: u32,
    /// The whole call, every attempt and wait included, ends by this long after it started:
    /// an attempt still running then is cut off (a timeout), and no retry is started whose
    /// wait would end past it. Without it, a server that answers each attempt just before
    /// the per-request timeout holds a call for that timeout times the number of attempts.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    /// 0.5 s, ×2, ±25 %, at most 30 s, 4 retries (about 7.5 s of backoff in all), and the
    /// whole call within 2 minutes.
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_millis(500),
            factor: 2.0,
            jitter: 0.25,
            cap: Duration::from_secs(30),
            max_retries: 4,
            deadline: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// Millisecond-scale delays with the default number of retries, for tests.
    pub fn fast() -> RetryPolicy {
        RetryPolicy {
            base: Duration::from_millis(2),
            factor: 2.0,
            jitter: 0.25,
            cap: Duration::from_millis(40),
            max_retries: 4,
            // Far beyond what a test's faults take: only a test about the bound meets it.
            deadline: Duration::from_secs(60),
        }
    }

    /// No retries at all: every failure goes straight to the caller.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::fast()
        }
    }

    /// The delay before retry number `retry` (1-based) after `error`, or `None` when the
    /// request must not be sent again. `spread` is a number in `[-1, 1]` that picks the
    /// jitter (random in use, fixed in tests).
    pub fn delay(
        &self,
        replay: Replay,
        error: &ApiError,
        retry: u32,
        spread: f64,
    ) -> Option<Duration> {
        if retry == 0 || retry > self.max_retries || !replay.may_resend(error) {
            return None;
        }
        let exp = self
            .factor
            .max(1.0)
            .powi(retry.saturating_sub(1).min(30) as i32);
        let raw = self.base.as_secs_f64() * exp;
        let jittered = raw * (1.0 + self.jitter.clamp(0.0, 1.0) * spread.clamp(-1.0, 1.0));
        let backoff = Duration::from_secs_f64(jittered.clamp(0.0, self.cap.as_secs_f64()));
        match error {
            // The server said when: never earlier; and if that is beyond what a call may
            // wait, give up now so the caller can say "retry in N s" instead of hanging.
            ApiError::RateLimited {
                retry_after: Some(after),
                ..
            } => (*after <= self.cap).then(|| backoff.max(*after)),
            _ => Some(backoff),
        }
    }
}

/// How safe it is to send a request again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// A read: repeating it changes nothing on the server.
    Read,
    /// An upload: repeating it at worst leaves an unused file on the server, so it is resent
    /// when the server surely did not act (the connection was never made) or said to come
    /// back (5xx, 429, heavy load). Its body is rebuilt for every attempt.
    Upload,
    /// A create or another action with effects: never resent.
    Never,
}

impl Replay {
    /// Whether a request of this kind that failed with `error` may be sent again.
    pub fn may_resend(self, error: &ApiError) -> bool {
        match self {
            Replay::Never => false,
            Replay::Read => error.is_transient(),
            Replay::Upload => matches!(
                error,
                ApiError::Network {
                    kind: NetworkKind::Connect,
                    ..
                } | ApiError::Server { .. }
                    | ApiError::RateLimited { .. }
                    | ApiError::Overloaded
            ),
        }
    }
}

/// What the retry loop reports while it works, so a UI can say what is going on.
#[derive(Debug, Clone, PartialEq)]
pub enum RetryNotice {
    /// A call failed and will be sent again after `delay`.
    Waiting {
        /// The call, e.g. `GET /nf/pending`.
        what: String,
        /// Why it failed.
        error: ApiError,
        /// Which retry comes next (1-based).
        attempt: u32,
        /// How many retries the policy allows.
        max: u32,
        /// How long until it is sent again.
        delay: Duration,
    },
    /// A call that had to wait ended (with success or, after the last retry, with its error,
    /// which its caller reports); any "retrying" display for it can go.
    Settled {
        /// The call.
        what: String,
    },
}

/// Receives [`RetryNotice`]s; called on the task that makes the request, so it must be quick
/// (send on a channel, print a line).
pub type RetryObserver = Arc<dyn Fn(RetryNotice) + Send + Sync>;

/// Runs `attempt` until it succeeds, fails in a way `replay` does not resend, or the policy
/// runs out of retries; sleeps between attempts and tells `observer`.
pub(crate) async fn run<T, F, Fut>(
    policy: &RetryPolicy,
    observer: Option<&RetryObserver>,
    what: &str,
    replay: Replay,
    attempt: F,
) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    run_with(policy, observer, what, replay, |_| false, attempt).await
}

/// [`run`], with a last word: an error for which `give_up` is true is returned at once.
/// The whole sequence ends by [`RetryPolicy::deadline`].
pub(crate) async fn run_with<T, F, Fut>(
    policy: &RetryPolicy,
    observer: Option<&RetryObserver>,
    what: &str,
    replay: Replay,
    give_up: impl Fn(&ApiError) -> bool,
    mut attempt: F,
) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let deadline = tokio::time::Instant::now() + policy.deadline;
    let mut retry = 0u32;
    let result = loop {
        let error = match tokio::time::timeout_at(deadline, attempt()).await {
            Ok(Ok(value)) => break Ok(value),
            Ok(Err(error)) => error,
            Err(_) => break Err(out_of_time(policy)),
        };
        if give_up(&error) {
            break Err(error);
        }
        retry += 1;
        let spread = random_spread();
        let Some(delay) = policy.delay(replay, &error, retry, spread) else {
            break Err(error);
        };
        if tokio::time::Instant::now() + delay >= deadline {
            // The next try could not even start in time: the last failure is the answer.
            break Err(error);
        }
        tracing::debug!(what, %error, retry, delay_ms = delay.as_millis() as u64, "retrying");
        if let Some(observe) = observer {
            observe(RetryNotice::Waiting {
                what: what.to_string(),
                error,
                attempt: retry,
                max: policy.max_retries,
                delay,
            });
        }
        tokio::time::sleep(delay).await;
    };
    if retry > 0
        && let Some(observe) = observer
    {
        observe(RetryNotice::Settled {
            what: what.to_string(),
        });
    }
    result
}

/// A random number in `[-1, 1]`: where within the jitter band the next delay falls.
fn random_spread() -> f64 {
    fastrand::f64() * 2.0 - 1.0
}

/// The error of a call cut off by its deadline. A timeout like any other: for a create it
/// may have been accepted, so it is reconciled rather than resent.
fn out_of_time(policy: &RetryPolicy) -> ApiError {
    ApiError::Network {
        kind: NetworkKind::Timeout,
        detail: format!(
            "no answer within {} s, retries included",
            policy.deadline.as_secs_f64().ceil() as u64
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn server() -> ApiError {
        ApiError::Server {
            status: 500,
            detail: String::new(),
        }
    }

    fn net(kind: NetworkKind) -> ApiError {
        ApiError::Network {
            kind,
            detail: String::new(),
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_and_a_cap() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(Replay::Read, &server(), 1, 0.0), Some(500 * MS));
        assert_eq!(p.delay(Replay::Read, &server(), 2, 0.0), Some(1000 * MS));
        assert_eq!(p.delay(Replay::Read, &server(), 3, 1.0), Some(2500 * MS));
        assert_eq!(p.delay(Replay::Read, &server(), 4, -1.0), Some(3000 * MS));
        assert_eq!(p.delay(Replay::Read, &server(), 5, 0.0), None, "4 retries");
        let long = RetryPolicy {
            max_retries: 20,
            ..p
        };
        assert_eq!(
            long.delay(Replay::Read, &server(), 15, 1.0),
            Some(Duration::from_secs(30))
        );
    }

    /// The test policies are what the fault matrices rely on: `fast` retries as often as the
    /// default but within milliseconds (a slow `fast` would turn the matrices into minutes),
    /// and `none` sends every failure straight up (the error-class tests count one attempt).
    #[test]
    fn the_test_policies_are_fast_and_none_retries_nothing() {
        let fast = RetryPolicy::fast();
        assert_eq!(fast.max_retries, RetryPolicy::default().max_retries);
        assert_eq!(fast.delay(Replay::Read, &server(), 1, 0.0), Some(2 * MS));
        assert_eq!(
            fast.delay(Replay::Read, &server(), 4, 1.0),
            Some(20 * MS),
            "2 ms × 2³ × 1.25, under the 40 ms cap"
        );
        let none = RetryPolicy::none();
        assert_eq!(none.max_retries, 0);
        assert_eq!(none.delay(Replay::Read, &server(), 1, 0.0), None);
        assert_eq!(none.base, fast.base, "otherwise the fast policy");
    }

    #[test]
    fn retry_after_is_honoured_or_handed_up() {
        let p = RetryPolicy::default();
        let limited = |s| ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(s)),
            detail: String::new(),
        };
        assert_eq!(
            p.delay(Replay::Read, &limited(12), 1, 0.0),
            Some(Duration::from_secs(12))
        );
        assert_eq!(p.delay(Replay::Read, &limited(31), 1, 0.0), None);
    }

    #[test]
    fn creates_are_never_resent_and_uploads_only_when_safe() {
        let p = RetryPolicy::default();
        for e in [server(), ApiError::Overloaded, net(NetworkKind::Connect)] {
            assert_eq!(p.delay(Replay::Never, &e, 1, 0.0), None, "{e:?}");
            assert!(p.delay(Replay::Upload, &e, 1, 0.0).is_some(), "{e:?}");
        }
        for kind in [NetworkKind::Timeout, NetworkKind::Interrupted] {
            assert!(!Replay::Upload.may_resend(&net(kind)));
            assert!(Replay::Read.may_resend(&net(kind)));
        }
        assert!(!Replay::Read.may_resend(&ApiError::Cloudflare));
        assert!(!Replay::Read.may_resend(&ApiError::BadResponse { detail: "x".into() }));
    }

    fn timeout() -> ApiError {
        net(NetworkKind::Timeout)
    }

    /// Collects the notices of a call.
    fn recorder() -> (RetryObserver, Arc<std::sync::Mutex<Vec<RetryNotice>>>) {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = seen.clone();
        (Arc::new(move |n| sink.lock().unwrap().push(n)), seen)
    }

    // Virtual time: the clock only moves when every task waits, so these take no wall time.
    #[tokio::test(start_paused = true)]
    async fn a_server_slow_on_every_attempt_holds_a_call_no_longer_than_the_deadline() {
        let policy = RetryPolicy::default();
        let started = tokio::time::Instant::now();
        let mut attempts = 0;
        // Each attempt ends with a timeout after a full minute, as a per-request timeout
        // of 60 s would end it.
        let out: Result<(), _> = run(&policy, None, "GET /me", Replay::Read, || {
            attempts += 1;
            async {
                tokio::time::sleep(Duration::from_secs(60)).await;
                Err(timeout())
            }
        })
        .await;
        let took = started.elapsed();
        assert!(took <= policy.deadline, "held for {took:?}");
        assert!(attempts < 1 + policy.max_retries, "{attempts} attempts");
        assert!(
            matches!(
                out,
                Err(ApiError::Network {
                    kind: NetworkKind::Timeout,
                    ..
                })
            ),
            "{out:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_attempt_that_never_answers_is_cut_at_the_deadline() {
        let policy = RetryPolicy {
            deadline: Duration::from_secs(5),
            ..RetryPolicy::default()
        };
        let started = tokio::time::Instant::now();
        let call = run(&policy, None, "POST /nf/create", Replay::Never, || {
            std::future::pending::<Result<(), ApiError>>()
        });
        // An hour of virtual time stands for "never": without the deadline this fails
        // instead of hanging.
        let out = tokio::time::timeout(Duration::from_secs(3600), call)
            .await
            .expect("the call ends by its deadline");
        assert_eq!(started.elapsed(), policy.deadline);
        let e = out.unwrap_err();
        // A timeout: a create cut off this way is reconciled, never resent.
        assert!(e.maybe_accepted(), "{e:?}");
        assert!(e.to_string().contains("5 s"), "{e}");
    }

    #[tokio::test(start_paused = true)]
    async fn the_first_slow_attempt_is_announced_when_it_times_out() {
        let (observer, seen) = recorder();
        let policy = RetryPolicy::default();
        let mut attempts = 0;
        let out = run(
            &policy,
            Some(&observer),
            "GET /nf/pending",
            Replay::Read,
            || {
                attempts += 1;
                let first = attempts == 1;
                let seen = seen.clone();
                async move {
                    if first {
                        tokio::time::sleep(Duration::from_secs(20)).await;
                        return Err(timeout());
                    }
                    // By the time the second attempt runs, the user has been told.
                    assert!(
                        matches!(
                            &seen.lock().unwrap()[..],
                            [RetryNotice::Waiting { attempt: 1, .. }]
                        ),
                        "{:?}",
                        seen.lock().unwrap()
                    );
                    Ok(1)
                }
            },
        )
        .await;
        assert_eq!(out, Ok(1));
        let seen = seen.lock().unwrap();
        let RetryNotice::Waiting { error, .. } = &seen[0] else {
            panic!("{seen:?}");
        };
        assert_eq!(error.short_reason(), "slow answer from the backend");
    }

    #[tokio::test(start_paused = true)]
    async fn no_retry_starts_that_would_end_past_the_deadline() {
        let policy = RetryPolicy {
            deadline: Duration::from_secs(10),
            ..RetryPolicy::default()
        };
        let limited = ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(20)),
            detail: String::new(),
        };
        let policy = RetryPolicy {
            cap: Duration::from_secs(30),
            ..policy
        };
        let started = tokio::time::Instant::now();
        let mut attempts = 0;
        let out: Result<(), _> = run(&policy, None, "GET /me", Replay::Read, || {
            attempts += 1;
            let e = limited.clone();
            async move { Err(e) }
        })
        .await;
        // Handed up at once with its wait, for the caller to say "retry in 20 s".
        assert_eq!(attempts, 1);
        assert_eq!(started.elapsed(), Duration::ZERO);
        assert_eq!(out, Err(limited));
    }

    #[tokio::test]
    async fn run_reports_waits_and_settles() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = seen.clone();
        let observer: RetryObserver = Arc::new(move |n| sink.lock().unwrap().push(n));
        let mut calls = 0;
        let out = run(
            &RetryPolicy::fast(),
            Some(&observer),
            "GET /x",
            Replay::Read,
            || {
                calls += 1;
                let ok = calls == 3;
                async move { if ok { Ok(7) } else { Err(ApiError::Overloaded) } }
            },
        )
        .await;
        assert_eq!(out, Ok(7));
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 3, "{seen:?}");
        assert!(matches!(seen[2], RetryNotice::Settled { .. }));
    }

    /// A call that never waited has nothing to settle: a "settled" notice would clear a
    /// retry display that belongs to another call.
    #[tokio::test]
    async fn a_call_that_never_retried_sends_no_notice() {
        let (observer, seen) = recorder();
        let out = run(
            &RetryPolicy::fast(),
            Some(&observer),
            "GET /x",
            Replay::Read,
            || async { Ok::<_, ApiError>(1) },
        )
        .await;
        assert_eq!(out, Ok(1));
        assert!(
            seen.lock().unwrap().is_empty(),
            "{:?}",
            seen.lock().unwrap()
        );
    }

    /// The spread covers the whole band, both sides of the nominal delay: clients hit by the
    /// same outage must not come back in lockstep. (Out of 2000 draws, the chance that a
    /// correct spread never falls below -0.5 or above 0.5 is 2 × 0.75^2000, effectively 0.)
    #[test]
    fn the_jitter_spread_fills_the_band_on_both_sides() {
        let draws: Vec<f64> = (0..2000).map(|_| random_spread()).collect();
        assert!(draws.iter().all(|d| (-1.0..=1.0).contains(d)), "in [-1, 1]");
        assert!(draws.iter().any(|&d| d < -0.5), "below the nominal delay");
        assert!(draws.iter().any(|&d| d > 0.5), "above it");
    }
}
