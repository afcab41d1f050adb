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
use pkcs8::EncryptedPrivateKeyInfo;
use zeroize::Zeroizing;

use crate::Error;

fn algorithm_and_data<'a, R: Reader<'a>>(r: &mut R) -> der::Result<AlgorithmIdentifierRef<'a>> {
    let algorithm = AlgorithmIdentifierRef::decode(r)?;
    OctetStringRef::decode(r)?;
    Ok(algorithm)
}

/// Decrypts an `EncryptedPrivateKeyInfo` (`scheme` is its algorithm, from
/// [`encryption_scheme`](super::key::encryption_scheme)) into the plain PKCS#8 `PrivateKeyInfo`, in a buffer
/// that zeroizes itself on drop.
///
/// # Errors
/// [`Error::WrongPassphrase`] when what comes out is no `PrivateKeyInfo`;
/// [`Error::InvalidPrivateKey`] for a scheme or part of one that cannot be
/// decrypted here (named), invalid parameters or encrypted data, or a cost
/// above [`SCRYPT_MAX_MEM`], [`SCRYPT_MAX_WORK`] or [`PBKDF2_MAX_WORK`].
pub(crate) fn decrypt(
    der: &[u8],
    scheme: Oid,
    passphrase: &[u8],
    input: &str,
) -> Result<Zeroizing<Vec<u8>>, Error> {
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
    let unreadable = || invalid(format!("its {} parameters cannot be read", name(scheme)));
    let pbes2 = pbes2_parts(der);
    if let Some(Ok((_, cipher))) = &pbes2 {
        check_des_iv(cipher).map_err(invalid)?;
    }
    let encrypted = EncryptedPrivateKeyInfo::try_from(der).map_err(|_| match &pbes2 {
        // PBES2 parameters pkcs5 cannot read: which part is it missing?
        Some(Ok((kdf, cipher))) => match unsupported_part(kdf, cipher) {
            Some(part) => unsupported(Some(part)),
            None => unreadable(),
        },
        Some(Err(())) => unreadable(),
        // A PBES1 scheme pkcs5 does not know (PKCS#12 PBE).
        None => unsupported(None),
    })?;
    check_cost(&encrypted).map_err(invalid)?;
    check_encrypted_length(&encrypted).map_err(invalid)?;
    let mut buffer = Zeroizing::new(encrypted.encrypted_data.to_vec());
    let plain = encrypted
        .encryption_algorithm
        .decrypt_in_place(passphrase, &mut buffer)
        .map_err(|e| match e {
            pkcs5::Error::UnsupportedAlgorithm { oid } => unsupported(Some(oid)),
            pkcs5::Error::NoPbes1CryptSupport => unsupported(None),
            pkcs5::Error::AlgorithmParametersInvalid { oid } => {
                invalid(format!("its {} parameters are invalid", name(oid)))
            }
            // The padding check failed (pkcs5 says DecryptFailed or
            // EncryptFailed): the passphrase was wrong.
            _ => Error::WrongPassphrase {
                input: input.to_owned(),
            },
        })?;
    // A wrong passphrase that happens to pass the padding check yields
    // garbage, which is no PrivateKeyInfo.
    if pkcs8::PrivateKeyInfo::try_from(plain).is_err() {
        return Err(Error::WrongPassphrase {
            input: input.to_owned(),
        });
    }
    Ok(Zeroizing::new(plain.to_vec()))
}

/// OpenSSL's cap on the memory scrypt may use to decrypt a key
/// (`SCRYPT_MAX_MEM`); its own `-scrypt` default needs 16 MiB.
pub(crate) const SCRYPT_MAX_MEM: u64 = 32 * 1024 * 1024;

/// The most scrypt work (N·r·p) a key may ask for: 8 times OpenSSL's
/// `-scrypt` default (2^14·8·1), about a second. Within the memory cap a
/// large `p` alone could otherwise ask for an hour.
pub(crate) const SCRYPT_MAX_WORK: u64 = 1 << 20;

/// The most PBKDF2 work (iterations times output blocks of the PRF) a key
/// may ask for: far above what any tool writes (OpenSSL 2,048 iterations,
/// OWASP's advice for HMAC-SHA256 600,000), and seconds of CPU. A crafted
/// key with 2^32 iterations would take hours.
pub(crate) const PBKDF2_MAX_WORK: u64 = 10_000_000;

/// Refuses key-derivation parameters that would take more memory than
/// OpenSSL allows (scrypt: a huge cost would take gigabytes, or abort the
/// process when the allocation fails) or more than seconds of CPU, and
/// those pkcs5 would trip over.
fn check_cost(encrypted: &EncryptedPrivateKeyInfo<'_>) -> Result<(), String> {
    let Some(params) = encrypted.encryption_algorithm.pbes2() else {
        return Ok(());
    };
    match &params.kdf {
        pbes2::Kdf::Scrypt(scrypt) => {
            let (n, r, p) = (
                scrypt.cost_parameter,
                u64::from(scrypt.block_size),
                u64::from(scrypt.parallelization),
            );
            // pkcs5 0.7 takes log2(N) with a subtraction that overflows for
            // N = 0: a panic in debug builds. N must be a power of two above 1.
            if n < 2 || !n.is_power_of_two() {
                return Err(format!(
                    "its scrypt cost parameter N ({n}) is not a power of two above 1"
                ));
            }
            // As OpenSSL counts it: 128 * r * (N + 2) for V, 128 * r * p for B.
            let memory = 128u64
                .saturating_mul(r)
                .saturating_mul(n.saturating_add(2).saturating_add(p));
            if memory > SCRYPT_MAX_MEM {
                return Err(format!(
                    "its scrypt parameters (N={n}, r={r}, p={p}) need more than {} MiB of memory",
                    SCRYPT_MAX_MEM >> 20
                ));
            }
            if n.saturating_mul(r).saturating_mul(p) > SCRYPT_MAX_WORK {
                return Err(format!(
                    "its scrypt parameters (N={n}, r={r}, p={p}) ask for more work than \
                     the N·r·p of {SCRYPT_MAX_WORK} accepted"
                ));
            }
        }
        pbes2::Kdf::Pbkdf2(pbkdf2) => {
            let iterations = pbkdf2.iteration_count;
            if iterations == 0 {
                return Err("its PBKDF2 iteration count is 0".to_owned());
            }
            // Each output block of the PRF is a full run of the iterations.
            let prf_len = match pbkdf2.prf {
                pbes2::Pbkdf2Prf::HmacWithSha1 => 20,
                pbes2::Pbkdf2Prf::HmacWithSha224 => 28,
                pbes2::Pbkdf2Prf::HmacWithSha256 => 32,
                pbes2::Pbkdf2Prf::HmacWithSha384 => 48,
                pbes2::Pbkdf2Prf::HmacWithSha512 => 64,
                // A PRF added later: counted as the shortest output.
                _ => 20,
            };
            let blocks = params.encryption.key_size().div_ceil(prf_len) as u64;
            let limit = PBKDF2_MAX_WORK / blocks.max(1);
            if u64::from(iterations) > limit {
                return Err(format!(
                    "its PBKDF2 iteration count ({iterations}) is above the {limit} accepted"
                ));
            }
        }
        // A function added later: pkcs5 refuses what it cannot run.
        _ => {}
    }
    Ok(())
}

/// Refuses encrypted data no passphrase could decrypt: CBC needs whole
/// blocks, and padding at least one.
fn check_encrypted_length(encrypted: &EncryptedPrivateKeyInfo<'_>) -> Result<(), String> {
    let Some(params) = encrypted.encryption_algorithm.pbes2() else {
        return Ok(());
    };
    let block = match params.encryption {
        pbes2::EncryptionScheme::DesEde3Cbc { .. } => 8,
        _ => 16,
    };
    let len = encrypted.encrypted_data.len();
    if len == 0 || !len.is_multiple_of(block) {
        return Err(format!(
            "its encrypted data ({len} bytes) is not a whole number of {block}-byte blocks"
        ));
    }
    Ok(())
}

/// pkcs5 0.7 takes the first 8 bytes of a DES-EDE3-CBC IV without checking
/// that there are 8: a panic on a shorter one. Checked here first.
fn check_des_iv(cipher: &AlgorithmIdentifierRef<'_>) -> Result<(), String> {
    if cipher.oid != pbes2::DES_EDE3_CBC_OID {
        return Ok(());
    }
    let iv = cipher
        .parameters
        .and_then(|p| p.decode_as::<OctetStringRef<'_>>().ok());
    match iv {
        Some(iv) if iv.as_bytes().len() == 8 => Ok(()),
        _ => Err("its DES-EDE3-CBC IV is not 8 bytes".to_owned()),
    }
}

/// The key-derivation function and cipher of a PBES2 key: `None` for
/// another scheme, `Some(Err(()))` for PBES2 parameters that cannot be read.
#[allow(clippy::type_complexity)]
fn pbes2_parts(
    der: &[u8],
) -> Option<Result<(AlgorithmIdentifierRef<'_>, AlgorithmIdentifierRef<'_>), ()>> {
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
    Some(parts.ok_or(()))
}

/// For PBES2 parameters the pkcs5 crate refuses, the part it does not
/// implement (the cipher, the key-derivation function or PBKDF2's PRF);
/// `None` when it has every part, and so the parameters themselves are
/// unreadable.
fn unsupported_part(
    kdf: &AlgorithmIdentifierRef<'_>,
    cipher: &AlgorithmIdentifierRef<'_>,
) -> Option<Oid> {
    const CIPHERS: [Oid; 4] = [
        pbes2::AES_128_CBC_OID,
        pbes2::AES_192_CBC_OID,
        pbes2::AES_256_CBC_OID,
        pbes2::DES_EDE3_CBC_OID,
    ];
    if !CIPHERS.contains(&cipher.oid) {
        return Some(cipher.oid);
    }
    if kdf.oid == pbes2::SCRYPT_OID {
        return None;
    }
    if kdf.oid != pbes2::PBKDF2_OID {
        return Some(kdf.oid);
    }
    match kdf.parameters.map(pbkdf2_prf) {
        Some(Ok(Some(prf))) if !PRFS.contains(&prf) => Some(prf),
        _ => None,
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
pub(crate) fn name(oid: Oid) -> String {
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
