//! Encrypted PKCS#8 (`EncryptedPrivateKeyInfo`, RFC 5958): recognising it,
//! decrypting it within OpenSSL's cost limits, and saying which part of a
//! scheme cannot be decrypted here.
//!
//! The RustCrypto `pkcs8`/`pkcs5` crates do the work: PBES2 with PBKDF2
//! (HMAC-SHA1 or SHA-2) or scrypt, and AES-CBC or DES-EDE3-CBC.

use pkcs8::der::asn1::{AnyRef, ObjectIdentifier as Oid, OctetStringRef};
use pkcs8::der::{self, Decode, Reader, SliceReader, Tag};
use pkcs8::pkcs5::{self, pbes2};
use pkcs8::spki::AlgorithmIdentifierRef;
use pkcs8::{EncryptedPrivateKeyInfo, SecretDocument};

use crate::Error;

/// The encryption scheme of DER shaped as an `EncryptedPrivateKeyInfo`
/// (`SEQUENCE { AlgorithmIdentifier, OCTET STRING }`), whatever the scheme;
/// `None` for anything else. No plain key has that shape: PKCS#8, PKCS#1
/// and SEC1 all start with a version number.
pub(crate) fn encryption_scheme(der: &[u8]) -> Option<Oid> {
    let mut reader = SliceReader::new(der).ok()?;
    let algorithm = reader.sequence(algorithm_and_data).ok()?;
    reader.finish(()).ok()?;
    Some(algorithm.oid)
}

fn algorithm_and_data<'a, R: Reader<'a>>(r: &mut R) -> der::Result<AlgorithmIdentifierRef<'a>> {
    let algorithm = AlgorithmIdentifierRef::decode(r)?;
    OctetStringRef::decode(r)?;
    Ok(algorithm)
}

/// Decrypts an `EncryptedPrivateKeyInfo` (`scheme` is its algorithm, from
/// [`encryption_scheme`]) into the plain PKCS#8 document, which zeroizes
/// itself on drop.
///
/// # Errors
/// [`Error::WrongPassphrase`] when decryption fails; [`Error::InvalidPrivateKey`]
/// for a scheme or part of one that cannot be decrypted here (named), invalid
/// parameters, or a cost above [`SCRYPT_MAX_MEM`] or [`PBKDF2_MAX_ITERATIONS`].
pub(crate) fn decrypt(
    der: &[u8],
    scheme: Oid,
    passphrase: &[u8],
    input: &str,
) -> Result<SecretDocument, Error> {
    let invalid = |reason: String| Error::invalid_private_key(input, reason);
    let unsupported = |part: Option<Oid>| {
        let mut name = name(scheme);
        if let Some(oid) = part {
            name = format!("{name} with {}", self::name(oid));
        }
        invalid(format!(
            "encrypted with {name}, which cannot be decrypted here: \
             re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`"
        ))
    };
    let encrypted = EncryptedPrivateKeyInfo::try_from(der).map_err(|_| {
        // PBES1 schemes pkcs5 does not know (PKCS#12 PBE), or PBES2
        // parameters it cannot read: find out which.
        match unsupported_pbes2_part(der) {
            Some(Ok(part)) => unsupported(Some(part)),
            Some(Err(())) => invalid(format!("its {} parameters cannot be read", name(scheme))),
            None => unsupported(None),
        }
    })?;
    check_cost(&encrypted).map_err(invalid)?;
    encrypted.decrypt(passphrase).map_err(|e| match e {
        pkcs8::Error::EncryptedPrivateKey(pkcs5::Error::UnsupportedAlgorithm { oid }) => {
            unsupported(Some(oid))
        }
        pkcs8::Error::EncryptedPrivateKey(pkcs5::Error::NoPbes1CryptSupport) => unsupported(None),
        pkcs8::Error::EncryptedPrivateKey(pkcs5::Error::AlgorithmParametersInvalid { oid }) => {
            invalid(format!("its {} parameters are invalid", name(oid)))
        }
        // The padding check failed (pkcs5 says DecryptFailed or
        // EncryptFailed), or what came out is no DER: the passphrase was wrong.
        _ => Error::WrongPassphrase {
            input: input.to_owned(),
        },
    })
}

/// OpenSSL's cap on the memory scrypt may use to decrypt a key
/// (`SCRYPT_MAX_MEM`); its own `-scrypt` default needs 16 MiB.
pub(crate) const SCRYPT_MAX_MEM: u64 = 32 * 1024 * 1024;

/// The most PBKDF2 iterations a key may ask for: far above what any tool
/// writes (OpenSSL 2,048, OWASP's advice for HMAC-SHA256 600,000), and a few
/// seconds of work. A crafted key with 2^32 iterations would take hours.
pub(crate) const PBKDF2_MAX_ITERATIONS: u32 = 10_000_000;

/// Refuses key-derivation parameters that would take more memory than
/// OpenSSL allows (scrypt: a huge cost would take gigabytes, or abort the
/// process when the allocation fails) or more than seconds of CPU (PBKDF2),
/// and those pkcs5 would trip over.
fn check_cost(encrypted: &EncryptedPrivateKeyInfo<'_>) -> Result<(), String> {
    match encrypted.encryption_algorithm.pbes2().map(|p| &p.kdf) {
        Some(pbes2::Kdf::Scrypt(params)) => {
            // pkcs5 0.7 takes log2(N) with a subtraction that overflows for
            // N = 0: a panic in debug builds. N must be a power of two above 1.
            let n = params.cost_parameter;
            if n < 2 || !n.is_power_of_two() {
                return Err(format!(
                    "its scrypt cost parameter N ({n}) is not a power of two above 1"
                ));
            }
            // As OpenSSL counts it: 128 * r * (N + 2) for V, 128 * r * p for B.
            let blocks = params
                .cost_parameter
                .saturating_add(2)
                .saturating_add(u64::from(params.parallelization));
            let memory = 128u64
                .saturating_mul(u64::from(params.block_size))
                .saturating_mul(blocks);
            if memory > SCRYPT_MAX_MEM {
                return Err(format!(
                    "its scrypt parameters (N={}, r={}, p={}) need more than {} MiB of memory",
                    params.cost_parameter,
                    params.block_size,
                    params.parallelization,
                    SCRYPT_MAX_MEM >> 20
                ));
            }
        }
        Some(pbes2::Kdf::Pbkdf2(params)) if params.iteration_count == 0 => {
            return Err("its PBKDF2 iteration count is 0".to_owned());
        }
        Some(pbes2::Kdf::Pbkdf2(params)) if params.iteration_count > PBKDF2_MAX_ITERATIONS => {
            return Err(format!(
                "its PBKDF2 iteration count ({}) is above the {PBKDF2_MAX_ITERATIONS} accepted",
                params.iteration_count
            ));
        }
        _ => {}
    }
    Ok(())
}

/// For PBES2 parameters the pkcs5 crate refuses: `Ok` with the part it does
/// not implement (the cipher, the key-derivation function or PBKDF2's PRF),
/// or `Err` when every part is one it has and so the parameters themselves
/// are unreadable. `None` for another scheme.
fn unsupported_pbes2_part(der: &[u8]) -> Option<Result<Oid, ()>> {
    const CIPHERS: [Oid; 4] = [
        pbes2::AES_128_CBC_OID,
        pbes2::AES_192_CBC_OID,
        pbes2::AES_256_CBC_OID,
        pbes2::DES_EDE3_CBC_OID,
    ];
    let algorithm = SliceReader::new(der)
        .ok()?
        .sequence(algorithm_and_data)
        .ok()?;
    if algorithm.oid != pbes2::PBES2_OID {
        return None;
    }
    let parts = algorithm.parameters.and_then(|params| {
        params
            .sequence(|r| {
                let kdf = AlgorithmIdentifierRef::decode(r)?;
                let cipher = AlgorithmIdentifierRef::decode(r)?;
                Ok((kdf, cipher))
            })
            .ok()
    });
    let Some((kdf, cipher)) = parts else {
        return Some(Err(()));
    };
    if !CIPHERS.contains(&cipher.oid) {
        return Some(Ok(cipher.oid));
    }
    if kdf.oid == pbes2::SCRYPT_OID {
        return Some(Err(()));
    }
    if kdf.oid != pbes2::PBKDF2_OID {
        return Some(Ok(kdf.oid));
    }
    match kdf.parameters.map(pbkdf2_prf) {
        Some(Ok(Some(prf))) if !PRFS.contains(&prf) => Some(Ok(prf)),
        _ => Some(Err(())),
    }
}

/// The PRFs pkcs5 implements (HMAC-SHA1 with its `sha1-insecure` feature).
const PRFS: [Oid; 5] = [
    oid("1.2.840.113549.2.7"),
    oid("1.2.840.113549.2.8"),
    oid("1.2.840.113549.2.9"),
    oid("1.2.840.113549.2.10"),
    oid("1.2.840.113549.2.11"),
];

/// PBKDF2-params' PRF: `SEQUENCE { salt, iterationCount, keyLength
/// OPTIONAL, prf AlgorithmIdentifier DEFAULT hmacWithSHA1 }`.
fn pbkdf2_prf(params: AnyRef<'_>) -> der::Result<Option<Oid>> {
    params.sequence(|r| {
        AnyRef::decode(r)?;
        AnyRef::decode(r)?;
        let mut prf = None;
        while !r.is_finished() {
            if r.peek_tag()? == Tag::Sequence {
                prf = Some(AlgorithmIdentifierRef::decode(r)?.oid);
            } else {
                AnyRef::decode(r)?;
            }
        }
        Ok(prf)
    })
}

const fn oid(dotted: &str) -> Oid {
    Oid::new_unwrap(dotted)
}

/// Names OpenSSL users know the algorithms of key encryption by.
const NAMES: [(Oid, &str); 36] = [
    (pbes2::PBES2_OID, "PBES2"),
    (pbes2::PBKDF2_OID, "PBKDF2"),
    (pbes2::SCRYPT_OID, "scrypt"),
    (pbes2::AES_128_CBC_OID, "AES-128-CBC"),
    (pbes2::AES_192_CBC_OID, "AES-192-CBC"),
    (pbes2::AES_256_CBC_OID, "AES-256-CBC"),
    (pbes2::DES_EDE3_CBC_OID, "DES-EDE3-CBC"),
    (oid("1.3.14.3.2.7"), "DES-CBC"),
    (oid("1.2.840.113549.3.2"), "RC2-CBC"),
    (oid("1.2.840.113549.2.6"), "hmacWithMD5"),
    (oid("1.2.840.113549.2.7"), "hmacWithSHA1"),
    (oid("1.2.840.113549.2.8"), "hmacWithSHA224"),
    (oid("1.2.840.113549.2.9"), "hmacWithSHA256"),
    (oid("1.2.840.113549.2.10"), "hmacWithSHA384"),
    (oid("1.2.840.113549.2.11"), "hmacWithSHA512"),
    (oid("1.2.840.113549.2.12"), "hmacWithSHA512-224"),
    (oid("1.2.840.113549.2.13"), "hmacWithSHA512-256"),
    (oid("1.2.840.113549.1.5.1"), "PBES1 (pbeWithMD2AndDES-CBC)"),
    (oid("1.2.840.113549.1.5.3"), "PBES1 (pbeWithMD5AndDES-CBC)"),
    (oid("1.2.840.113549.1.5.4"), "PBES1 (pbeWithMD2AndRC2-CBC)"),
    (oid("1.2.840.113549.1.5.6"), "PBES1 (pbeWithMD5AndRC2-CBC)"),
    (
        oid("1.2.840.113549.1.5.10"),
        "PBES1 (pbeWithSHA1AndDES-CBC)",
    ),
    (
        oid("1.2.840.113549.1.5.11"),
        "PBES1 (pbeWithSHA1AndRC2-CBC)",
    ),
    (oid("1.2.840.113549.1.12.1.1"), "PKCS#12 PBE-SHA1-RC4-128"),
    (oid("1.2.840.113549.1.12.1.2"), "PKCS#12 PBE-SHA1-RC4-40"),
    (oid("1.2.840.113549.1.12.1.3"), "PKCS#12 PBE-SHA1-3DES"),
    (oid("1.2.840.113549.1.12.1.4"), "PKCS#12 PBE-SHA1-2DES"),
    (oid("1.2.840.113549.1.12.1.5"), "PKCS#12 PBE-SHA1-RC2-128"),
    (oid("1.2.840.113549.1.12.1.6"), "PKCS#12 PBE-SHA1-RC2-40"),
    (oid("1.2.410.200046.1.1.2"), "ARIA-128-CBC"),
    (oid("1.2.410.200046.1.1.7"), "ARIA-192-CBC"),
    (oid("1.2.410.200046.1.1.12"), "ARIA-256-CBC"),
    (oid("1.2.392.200011.61.1.1.1.2"), "Camellia-128-CBC"),
    (oid("1.2.392.200011.61.1.1.1.3"), "Camellia-192-CBC"),
    (oid("1.2.392.200011.61.1.1.1.4"), "Camellia-256-CBC"),
    (oid("1.2.156.10197.1.104.2"), "SM4-CBC"),
];

/// What an OpenSSL user calls a key-encryption algorithm, from its OID.
fn name(oid: Oid) -> String {
    match NAMES.iter().find(|(known, _)| *known == oid) {
        Some((_, name)) => (*name).to_owned(),
        None => format!("the algorithm {oid}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        for (i, (oid, name)) in NAMES.iter().enumerate() {
            assert!(
                NAMES[i + 1..].iter().all(|(o, n)| o != oid && n != name),
                "{name}"
            );
        }
        assert_eq!(
            name(oid("1.2.3.4")),
            "the algorithm 1.2.3.4",
            "an unknown algorithm is named by its OID"
        );
    }
}
