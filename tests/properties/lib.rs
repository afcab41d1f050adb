//! sslconf's property tests (proptest), a package of the workspace apart
//! from the crate so that the crate's own tests and examples do not compile
//! proptest: every parser of untrusted input against random and damaged
//! input (`parsers`), and settings files' round trips (`settings_file`).
//! Test-only: `cargo test -p sslconf-properties` (and the README's
//! `cargo test --workspace --all-features`) runs them.
#![cfg(test)]

// The crate's own test helpers and settings-file fixture.
#[path = "../common/mod.rs"]
mod common;
#[path = "../common/settings_fixture.rs"]
mod settings_fixture;

mod parsers;
mod settings_file;
