//! `https://` through `HttpTarget` (feature `tls`): the gate against the reference target
//! served over TLS on 127.0.0.1 with a test certificate (`tests/fixtures/tls/`: a test CA and a
//! certificate for `localhost` and `127.0.0.1` it signed; the key is a test key, public on
//! purpose), trusted through `HttpTarget::with_tls_config`; and the same server refused when
//! the certificate is not trusted.
#![cfg(feature = "tls")]

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use opsworks_conformance::Conformance;
use opsworks_conformance::contract::{RawRequest, TransportFailureKind};
use opsworks_conformance::runner::RunConfig;
use opsworks_conformance::target::{HttpTarget, HttpTargetOptions, ReferenceTarget, Target};
use opsworks_conformance::world::World;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

const CA: &[u8] = include_bytes!("fixtures/tls/ca.pem");
const CERT: &[u8] = include_bytes!("fixtures/tls/server.pem");
const KEY: &[u8] = include_bytes!("fixtures/tls/server.key");

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The reference target answering over TLS on 127.0.0.1 (a port the OS picks): its port and
/// the accept loop (aborted by the caller).
async fn tls_reference_server() -> (u16, JoinHandle<()>) {
    let cert = CertificateDer::from_pem_slice(CERT).expect("the test certificate");
    let key = PrivateKeyDer::from_pem_slice(KEY).expect("the test key");
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .expect("a server configuration");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    let target = Arc::new(ReferenceTarget::new(World::bundled()));
    let accept = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            let target = Arc::clone(&target);
            tokio::spawn(async move {
                // A client that does not trust the certificate ends the handshake: nothing to serve.
                let Ok(stream) = acceptor.accept(stream).await else {
                    return;
                };
                let service = service_fn(move |request: hyper::Request<Incoming>| {
                    let target = Arc::clone(&target);
                    async move {
                        let (head, body) = request.into_parts();
                        let body = body
                            .collect()
                            .await
                            .map(|body| body.to_bytes())
                            .unwrap_or_default();
                        let raw = RawRequest {
                            headers: head
                                .headers
                                .iter()
                                .map(|(name, value)| {
                                    (
                                        name.to_string(),
                                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                                    )
                                })
                                .collect(),
                            body: body.to_vec(),
                        };
                        let answer = target.answer_request(&raw);
                        let mut response =
                            hyper::Response::new(Full::new(Bytes::from(answer.body)));
                        *response.status_mut() =
                            hyper::StatusCode::from_u16(answer.status).expect("a status");
                        for (name, value) in &answer.headers {
                            response.headers_mut().append(
                                hyper::header::HeaderName::from_bytes(name.as_bytes())
                                    .expect("name"),
                                hyper::header::HeaderValue::from_str(value).expect("value"),
                            );
                        }
                        Ok::<_, Infallible>(response)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (port, accept)
}

/// A client configuration trusting only the test CA.
fn trusting_the_test_ca() -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(CA).expect("the test CA"))
        .expect("a root");
    rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}

#[tokio::test]
async fn the_gate_runs_over_tls() {
    let (port, server) = tls_reference_server().await;
    for host in ["localhost", "127.0.0.1"] {
        let url = format!("https://{host}:{port}");
        let target =
            HttpTarget::with_tls_config(&url, HttpTargetOptions::default(), trusting_the_test_ca())
                .expect("an https target");
        target.probe().await.expect("the server answers over TLS");
        let report = Conformance::new()
            .config(RunConfig::default().with_cases(300))
            .check(&target)
            .await;
        let run = report.report();
        assert!(
            report.passed(),
            "{url}: {}",
            opsworks_conformance::report::human_report(run, "us-east-1")
        );
        assert!(run.cases >= 300, "{url}: {} cases", run.cases);
    }
    server.abort();
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused() {
    let (port, server) = tls_reference_server().await;
    // A CA that did not sign the server's certificate: its own certificate as the only root.
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(CERT).expect("the server certificate"))
        .expect("a root");
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let target = HttpTarget::with_tls_config(
        &format!("https://localhost:{port}"),
        HttpTargetOptions::default(),
        config,
    )
    .expect("an https target");
    let failure = target
        .send(&RawRequest::json("{}"))
        .await
        .expect_err("an untrusted certificate");
    assert_eq!(failure.kind, TransportFailureKind::Other, "{failure}");
    assert!(failure.message.contains("certificate"), "{failure}");
    server.abort();
}
