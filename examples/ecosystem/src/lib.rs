//! What the ecosystem programs in `src/bin/` share: the HTTPS accept loop
//! for axum (`http_server`), the HTTP/3 one for the same router over QUIC
//! (`http3`), the gRPC greeter service for tonic (`greeter`),
//! and, from the crate's own examples, the flags and session tables
//! (`support`, compiled from `examples/support/mod.rs`).
//!
//! Not published: this package exists so that sslconf's own build, tests
//! and examples compile none of these stacks (see README.md here).

pub mod greeter;
pub mod http3;
pub mod http_server;
#[path = "../../support/mod.rs"]
pub mod support;
