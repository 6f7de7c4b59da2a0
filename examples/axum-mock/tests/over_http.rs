//! The same mock served on a real socket (127.0.0.1, a free port) and checked over HTTP, as a
//! CI job would check a mock started beside it.

mod common;

use opsworks_conformance::target::HttpTarget;
use opsworks_conformance::world::World;

#[tokio::test]
async fn the_mock_conforms_over_http() -> Result<(), Box<dyn std::error::Error>> {
    let store = common::store_from(&World::bundled())?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(
        axum::serve(listener, axum_mock::router(store.clone()))
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .into_future(),
    );

    opsworks_conformance::assert_conforms(&HttpTarget::new(&url)?).await;
    assert!(
        !store.deployments().is_empty(),
        "the suite's valid requests were recorded"
    );

    let _ = stop.send(());
    server.await??;
    Ok(())
}
