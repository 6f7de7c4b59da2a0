//! The SDK matrix of the README: the client gate on the three AWS SDKs that know OpsWorks
//! (aws-sdk-opsworks for Rust, botocore 1.40.18, the AWS SDK for JavaScript v3), per C-* rule
//! pass or the exact finding, as Markdown.
//!
//! ```sh
//! npm ci --prefix examples/js-driver          # the pinned JavaScript SDK
//! pip install botocore==1.40.18               # or set OPSWORKS_CONFORMANCE_PYTHON to a venv's python
//! cargo run --example sdk-matrix --all-features                    # prints the matrix
//! cargo run --example sdk-matrix --all-features -- --update-readme # rewrites the README's block
//! ```
//!
//! Exit codes: 0 printed (or written), 2 an SDK is missing or a run could not be made.
//! `tests/client_driver.rs` checks that the README's block is what this prints.

mod setup;

use std::process::ExitCode;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let update = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--update-readme") => true,
        Some(other) => {
            eprintln!("error: expected no argument or --update-readme, found {other:?}");
            return ExitCode::from(2);
        }
    };
    let columns = match setup::matrix_columns().await {
        Ok(columns) => columns,
        Err(why) => {
            eprintln!("error: {why}");
            return ExitCode::from(2);
        }
    };
    let matrix = opsworks_conformance::client::matrix_markdown(&columns);
    if !update {
        print!("{matrix}");
        return ExitCode::SUCCESS;
    }
    let path = setup::manifest_path("README.md");
    let readme = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("error: {}: {error}", path.display());
            return ExitCode::from(2);
        }
    };
    let (Some(begin), Some(end)) = (
        readme.find(setup::README_BEGIN),
        readme.find(setup::README_END),
    ) else {
        eprintln!(
            "error: {} has no block between {:?} and {:?}",
            path.display(),
            setup::README_BEGIN,
            setup::README_END
        );
        return ExitCode::from(2);
    };
    let updated = format!(
        "{}{}\n{matrix}{}",
        &readme[..begin],
        setup::README_BEGIN,
        &readme[end..]
    );
    if let Err(error) = std::fs::write(&path, updated) {
        eprintln!("error: {}: {error}", path.display());
        return ExitCode::from(2);
    }
    println!("{} updated", path.display());
    ExitCode::SUCCESS
}
