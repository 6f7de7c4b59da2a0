//! The one signal handler of the command line: Ctrl-C (SIGINT) and SIGTERM, for `run` (stop
//! sending, write the partial reports; quit at the second) and `serve` (stop serving).

/// Ctrl-C (SIGINT) and, on Unix, SIGTERM, listened for from the moment [`Interrupts::listen`]
/// is called.
pub(crate) struct Interrupts {
    /// SIGINT, if it can be listened for.
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
    /// SIGTERM, if it can be listened for.
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl Interrupts {
    /// Starts listening (within the runtime); `None`, with `warning` on standard error, when
    /// nothing can be.
    #[cfg(unix)]
    pub(crate) fn listen(warning: &str) -> Option<Interrupts> {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt()).ok();
        let terminate = signal(SignalKind::terminate()).ok();
        if interrupt.is_none() && terminate.is_none() {
            eprintln!("{warning}");
            return None;
        }
        Some(Interrupts {
            interrupt,
            terminate,
        })
    }

    /// Starts listening (within the runtime).
    #[cfg(not(unix))]
    pub(crate) fn listen(_warning: &str) -> Option<Interrupts> {
        Some(Interrupts {})
    }

    /// Ends at the next signal.
    #[cfg(unix)]
    pub(crate) async fn next(&mut self) {
        async fn recv(signal: Option<&mut tokio::signal::unix::Signal>) {
            match signal {
                Some(signal) => {
                    if signal.recv().await.is_none() {
                        std::future::pending::<()>().await;
                    }
                }
                None => std::future::pending::<()>().await,
            }
        }
        tokio::select! {
            () = recv(self.interrupt.as_mut()) => {}
            () = recv(self.terminate.as_mut()) => {}
        }
    }

    /// Ends at the next Ctrl-C (never, if it cannot be listened for).
    #[cfg(not(unix))]
    pub(crate) async fn next(&mut self) {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
