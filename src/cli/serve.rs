//! `serve`: the reference implementation over HTTP until Ctrl-C or SIGTERM.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::cli::signals::Interrupts;
use crate::server::{ReferenceServer, ServerOptions};
use crate::world::World;

/// The exit code for a server that could not be started (bad arguments, a world file that
/// cannot be read, an address that cannot be bound).
const EXIT_USAGE: u8 = 2;

/// The options of `serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The world file: what exists and who may do what (default: the bundled world).
    #[arg(long, value_name = "FILE")]
    pub world: Option<PathBuf>,

    /// The address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,

    /// The region SigV4 signatures must be scoped to (when the world has users).
    #[arg(long, value_name = "R", default_value = "us-east-1")]
    pub region: String,
}

/// Runs `serve`: loads the world, starts the reference server, prints
/// `listening on http://IP:PORT` as the first line of standard output, and serves until Ctrl-C
/// or SIGTERM. An unreadable or invalid world file, or an address that cannot be bound, exits
/// with 2 and a message on standard error.
pub fn serve_main(args: ServeArgs) -> ExitCode {
    let world = match &args.world {
        Some(path) => match World::from_file(path) {
            Ok(world) => world,
            Err(error) => {
                eprintln!("opsworks-conformance: {error}");
                return ExitCode::from(EXIT_USAGE);
            }
        },
        None => World::bundled(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("opsworks-conformance: cannot start the async runtime: {error}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    runtime.block_on(async move {
        let (stacks, users) = (world.stacks.len(), world.users.len());
        let options = ServerOptions {
            listen: args.listen,
            region: args.region.clone(),
            ..ServerOptions::default()
        };
        let server = match ReferenceServer::start_with(world, options).await {
            Ok(server) => server,
            Err(error) => {
                eprintln!("opsworks-conformance: {error}");
                return ExitCode::from(EXIT_USAGE);
            }
        };
        // Listening for signals before the address is out: whoever reads it may stop us at once.
        let mut stop = Interrupts::listen("warning: cannot listen for Ctrl-C or SIGTERM: stop the server with SIGKILL");
        let mut stdout = io::stdout().lock();
        if writeln!(stdout, "listening on {}", server.url())
            .and_then(|()| stdout.flush())
            .is_err()
        {
            // Whoever started us no longer reads the address: nobody can use the server.
            server.shutdown().await;
            return ExitCode::from(EXIT_USAGE);
        }
        drop(stdout);
        let source = args
            .world
            .as_ref()
            .map_or("the bundled world".to_owned(), |path| path.display().to_string());
        eprintln!("world: {stacks} stacks, {users} users (from {source})");
        if users == 0 {
            eprintln!("requests need no signature (the world has no users)");
        } else {
            eprintln!(
                "requests must be SigV4-signed by one of the users, for region {} and service opsworks",
                args.region
            );
        }
        if server.local_addr().ip().is_loopback() {
            eprintln!("only this machine can connect (the server binds 127.0.0.1 unless told otherwise with --listen)");
        } else {
            eprintln!(
                "warning: listening on {}, which other machines may reach",
                server.local_addr()
            );
        }
        eprintln!("serving until Ctrl-C or SIGTERM");
        match stop.as_mut() {
            Some(signals) => signals.next().await,
            None => std::future::pending::<()>().await,
        }
        eprintln!("stopping");
        server.shutdown().await;
        ExitCode::SUCCESS
    })
}
