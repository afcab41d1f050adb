//! X.509 input: certificates, private keys (plain and encrypted), and the
//! file and PEM reading they share.

mod certificate;
mod encrypted_key;
mod input;
mod key;

pub use certificate::{AlternativeName, Certificate, DigestAlgorithm, SubjectInfo};
pub use key::{KeyAlgorithm, PrivateKey};
