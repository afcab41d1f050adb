//! X.509 input: certificates, private keys (plain and encrypted), the
//! identities they make together, PKCS#12 files that hold them, and the
//! file and PEM reading they share.

mod certificate;
mod encrypted_key;
mod identity;
mod input;
mod key;
mod ocsp;
mod pin;
mod pkcs12;
mod revocation_list;
mod time;

pub use self::pkcs12::Pkcs12;
pub use certificate::{AlternativeName, Certificate, DigestAlgorithm, SubjectInfo};
pub use identity::Identity;
#[cfg(feature = "serde")]
pub(crate) use identity::PassphraseSource;
pub use key::{KeyAlgorithm, PrivateKey};
pub(crate) use ocsp::OcspStaple;
pub use pin::PublicKeyPin;
pub use revocation_list::RevocationList;
