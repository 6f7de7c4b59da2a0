//! A small in-memory mock of AWS OpsWorks Stacks `CreateDeployment`, written with axum the way
//! a test double of an AWS API usually is: one router, one handler, a store behind a mutex.
//!
//! - [`Store`]: stacks with their apps (type, stored versions), layers and instances, and the
//!   deployments made; fill it with [`Store::add_stack`], [`Store::add_app`], ...
//! - [`router`]: the awsJson1_1 operation `OpsWorks_20130218.CreateDeployment` on `POST /`.
//!   It answers `{"DeploymentId": "<uuid>"}`, or a 400 with `{"__type": .., "message": ..}`
//!   (`ValidationException`, `ResourceNotFoundException`, `SerializationException`,
//!   `UnknownOperationException`). A rejected request changes nothing.
//!
//! It does not depend on `opsworks-conformance`: its tests do (see `tests/`).
//!
//! ```
//! let store = axum_mock::Store::new();
//! store.add_stack("s1");
//! store.add_app("s1", "a1", "php", 2).unwrap();
//! let app = axum_mock::router(store);
//! # let _ = app;
//! ```

mod handler;
mod store;
mod validate;

pub use handler::{CONTENT_TYPE_JSON11, TARGET, router};
pub use store::{Deployment, MAX_STORED_VERSIONS, Store, StoreError};
pub use validate::{APP_COMMANDS, ApiError, Request, STACK_COMMANDS, parse};
