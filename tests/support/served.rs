//! A target served over HTTP on 127.0.0.1 by a thread with a tokio runtime of its own, for tests
//! that run the binary against it; stopped (and the thread joined) when dropped. Included with
//! `#[path = "support/served.rs"] mod served;`.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use opsworks_conformance::server::{ReferenceServer, ServerOptions};
use opsworks_conformance::target::Target;

/// A served target.
pub struct Served {
    /// Its URL, `http://127.0.0.1:PORT`.
    pub url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Served {
    /// Serves `target` on a port the OS picks.
    pub fn start(target: impl Target + 'static) -> Served {
        let (url_tx, url_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async move {
                let server =
                    ReferenceServer::serve_target(Arc::new(target), ServerOptions::default())
                        .await
                        .expect("serve_target starts on 127.0.0.1");
                let _ = url_tx.send(server.url());
                let _ = stopped.await;
                server.shutdown().await;
            });
        });
        let url = url_rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the server starts within 20 s");
        Served {
            url,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
