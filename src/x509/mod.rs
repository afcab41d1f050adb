//! X.509 input: certificates, private keys (plain and encrypted), the
//! identities they make together, PKCS#12 files that hold them, and the
//! file and PEM reading they share.

mod asn1;
mod certificate;
#[cfg(feature = "encrypted-keys")]
mod encrypted_key;
mod fields;
mod identity;
mod input;
mod key;
mod name;
mod ocsp;
#[cfg(feature = "ocsp")]
mod ocsp_response;
#[cfg(feature = "encrypted-keys")]
mod passphrase;
mod pin;
#[cfg(feature = "pkcs12")]
mod pkcs12;
mod revocation_list;
mod time;

#[cfg(feature = "pkcs12")]
pub use self::pkcs12::Pkcs12;
pub use certificate::{AlternativeName, Certificate, DigestAlgorithm, SubjectInfo};
pub(crate) use fields::public_key_info;
pub use identity::Identity;
pub use key::{KeyAlgorithm, PrivateKey};
pub(crate) use ocsp::OcspStaple;
#[cfg(feature = "encrypted-keys")]
pub use passphrase::Passphrase;
pub use pin::PublicKeyPin;
pub use revocation_list::RevocationList;
