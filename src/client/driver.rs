//! Any client, in any language, as a driver process speaking JSON lines (`docs/contract/INTERFACES.md`,
//! "Client driver protocol").

use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::Mutex;

use crate::client::client::Client;
use crate::client::outcome::{ClientCall, ClientOutcome};
use crate::contract::excerpt::cut;
use crate::target::BoxFuture;

/// The longest a driver may take over one case by default.
pub const DEFAULT_DRIVER_TIMEOUT: Duration = Duration::from_secs(20);

/// Why a driver could not be started.
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    /// No command was given.
    #[error("driver: expected a command (`client -- DRIVER CMD...`), found none")]
    NoCommand,
    /// The process could not be started.
    #[error("driver {command:?}: expected a process that starts, found {message}")]
    Spawn {
        /// The command line.
        command: String,
        /// The operating system's message.
        message: String,
    },
}

struct DriverState {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    /// A call was cancelled between writing its line and reading the answer: the stream is
    /// out of step, so the driver is stopped.
    in_flight: bool,
    /// Why the driver no longer answers, once it does not.
    stopped: Option<String>,
    /// How many calls the driver answered with a line.
    answered: usize,
}

/// A client that is a process: started once with `DRIVER CMD...`, sent one JSON line per call
/// on its standard input ([`ClientCall`] serialised), answering one JSON line per call on its
/// standard output ([`ClientOutcome`] serialised). Its standard error is passed through. End of
/// input (when the `DriverClient` is shut down or dropped) tells it to exit; a driver that
/// does not is killed.
///
/// A call without an answer within the timeout stops the driver (later calls report a client
/// error at once); a line that is not an outcome is reported as a client error naming the
/// protocol.
pub struct DriverClient {
    command: Vec<String>,
    timeout: Duration,
    state: Mutex<DriverState>,
}

impl std::fmt::Debug for DriverClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DriverClient")
            .field("command", &self.command)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl DriverClient {
    /// Starts `command` (program and arguments) as a driver. Must be called within a tokio
    /// runtime.
    ///
    /// # Errors
    /// An empty command, or a process that cannot be started (program not found, not
    /// executable).
    pub fn spawn(command: &[String]) -> Result<Self, DriverError> {
        let (program, args) = command.split_first().ok_or(DriverError::NoCommand)?;
        let spawn_error = |message: String| DriverError::Spawn {
            command: command.join(" "),
            message,
        };
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|error| spawn_error(error.to_string()))?;
        let stdin = child.stdin.take();
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| spawn_error("no standard output pipe".to_owned()))?;
        Ok(DriverClient {
            command: command.to_vec(),
            timeout: DEFAULT_DRIVER_TIMEOUT,
            state: Mutex::new(DriverState {
                child,
                stdin,
                stdout: BufReader::new(stdout),
                in_flight: false,
                stopped: None,
                answered: 0,
            }),
        })
    }

    /// The same driver with another per-call timeout.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How many calls the driver answered with a line (protocol errors included).
    pub async fn answered(&self) -> usize {
        self.state.lock().await.answered
    }

    /// Why the driver stopped answering, if it did (it exited, or timed out).
    pub async fn stopped(&self) -> Option<String> {
        self.state.lock().await.stopped.clone()
    }

    /// Closes the driver's input (end of input: it should exit) and waits up to two seconds
    /// for it; kills it if it is still running. Returns its exit status, if it exited.
    pub async fn shutdown(self) -> Option<ExitStatus> {
        let mut state = self.state.into_inner();
        drop(state.stdin.take());
        match tokio::time::timeout(Duration::from_secs(2), state.child.wait()).await {
            Ok(Ok(status)) => Some(status),
            _ => {
                let _ = state.child.kill().await;
                None
            }
        }
    }

    async fn exchange(&self, call: ClientCall) -> ClientOutcome {
        let mut guard = self.state.lock().await;
        let state: &mut DriverState = &mut guard;
        if state.in_flight && state.stopped.is_none() {
            state.stopped =
                Some("an earlier call was cancelled before the driver answered".to_owned());
            let _ = state.child.start_kill();
        }
        if let Some(reason) = &state.stopped {
            return ClientOutcome::client_error(format!("driver stopped: {reason}"));
        }
        state.in_flight = true;
        let mut line = match serde_json::to_string(&call) {
            Ok(line) => line,
            Err(error) => {
                state.in_flight = false;
                return ClientOutcome::client_error(format!("cannot write the call: {error}"));
            }
        };
        line.push('\n');
        let timeout = self.timeout;
        let result = tokio::time::timeout(timeout, async {
            let Some(stdin) = state.stdin.as_mut() else {
                return Err("its input is closed".to_owned());
            };
            stdin
                .write_all(line.as_bytes())
                .await
                .map_err(|error| format!("cannot write to it ({error})"))?;
            stdin
                .flush()
                .await
                .map_err(|error| format!("cannot write to it ({error})"))?;
            loop {
                let mut answer = String::new();
                let read = state
                    .stdout
                    .read_line(&mut answer)
                    .await
                    .map_err(|error| format!("cannot read from it ({error})"))?;
                if read == 0 {
                    return Err("it closed its output (exited?)".to_owned());
                }
                if !answer.trim().is_empty() {
                    return Ok(answer);
                }
            }
        })
        .await;
        state.in_flight = false;
        match result {
            Ok(Ok(answer)) => {
                state.answered += 1;
                match serde_json::from_str::<ClientOutcome>(answer.trim()) {
                    Ok(outcome) => outcome,
                    Err(error) => ClientOutcome::client_error(format!(
                        "driver protocol: expected one JSON line {{\"ok\": ..}}, {{\"error\": ..}} or {{\"client_error\": ..}}, found {:?} ({error})",
                        cut(answer.trim(), 300)
                    )),
                }
            }
            Ok(Err(reason)) => {
                let status = match state.child.try_wait() {
                    Ok(Some(status)) => format!("; {status}"),
                    _ => String::new(),
                };
                let reason = format!("{reason}{status}");
                state.stopped = Some(reason.clone());
                ClientOutcome::client_error(format!("driver stopped: {reason}"))
            }
            Err(_) => {
                let reason = format!("no answer within {} ms", timeout.as_millis());
                state.stopped = Some(reason.clone());
                let _ = state.child.start_kill();
                ClientOutcome::client_error(format!("driver stopped: {reason}"))
            }
        }
    }
}

impl Client for DriverClient {
    fn call(&self, call: ClientCall) -> BoxFuture<'_, ClientOutcome> {
        Box::pin(self.exchange(call))
    }

    /// `driver: CMD...`.
    fn describe(&self) -> String {
        format!("driver: {}", self.command.join(" "))
    }
}
