//! X.509 input: certificates, private keys (plain and encrypted), the
//! identities they make together, and the file and PEM reading they share.

mod certificate;
mod encrypted_key;
mod identity;
mod input;
mod key;
mod ocsp;
mod pin;
mod revocation_list;

pub use certificate::{AlternativeName, Certificate, DigestAlgorithm, SubjectInfo};
pub use identity::Identity;
pub(crate) use identity::IdentityFiles;
#[cfg(feature = "serde")]
pub(crate) use identity::PassphraseSource;
pub use key::{KeyAlgorithm, PrivateKey};
pub(crate) use ocsp::OcspStaple;
pub use pin::PublicKeyPin;
pub use revocation_list::RevocationList;
