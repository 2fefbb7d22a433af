//! The relayer reads "no checkpoint yet" only from a fog indexer's
//! problem document: a 404 from anything else (a wrong --indexer, another
//! service) is an error, not an empty log to settle on (until stop 21
//! `run --once` then exited 0 having anchored nothing).

use std::io::{Read, Write};
use std::net::TcpListener;

use fog_relayer::anchoring::IndexerSource;
use fog_relayer::note::{NoteSigner, VerifierKey};

/// A server that answers every request with a 404 of `content_type` and
/// `body`.
fn answering_404(content_type: &'static str, body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = write!(
                stream,
                "HTTP/1.1 404 Not Found\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}")
}

fn key() -> VerifierKey {
    let signer = NoteSigner::from_seed("fog.test/audit", [7; 32]).unwrap();
    VerifierKey::parse(&signer.verifier_key()).unwrap()
}

#[tokio::test]
async fn only_the_indexers_own_404_means_no_checkpoint_yet() {
    let no_checkpoint = r#"{"type":"urn:fog:problem:not-found","title":"Not Found","status":404,"detail":"no checkpoint has been published yet"}"#;
    let indexer = IndexerSource::new(&answering_404("application/problem+json", no_checkpoint), None, key());
    assert!(indexer.latest().await.unwrap().is_none());

    // The indexer's own answer for a path it does not serve: a wrong base.
    let no_route = r#"{"type":"urn:fog:problem:not-found","title":"Not Found","status":404,"detail":"no route /api/audit/checkpoint; see /openapi.json"}"#;
    let wrong_base = IndexerSource::new(&answering_404("application/problem+json", no_route), None, key());
    let err = format!("{:#}", wrong_base.latest().await.unwrap_err());
    assert!(err.contains("no route"), "{err}");

    let elsewhere = answering_404("text/html", "<h1>Not Found</h1>");
    let wrong = IndexerSource::new(&elsewhere, None, key());
    let err = format!("{:#}", wrong.latest().await.unwrap_err());
    assert!(err.contains("fog indexer") && err.contains(&elsewhere), "{err}");
}
