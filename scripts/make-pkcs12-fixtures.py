#!/usr/bin/env python3
"""PKCS#12 files written by Python's `cryptography`, for tests/pkcs12.rs.

    python3 scripts/make-pkcs12-fixtures.py OUT_DIR

writes into OUT_DIR a root CA, an intermediate it signs and a leaf for
`p12.example` the intermediate signs (P-256 keys), and the leaf's key and
certificate with the intermediate as its CA certificates, in PKCS#12 files:

- cryptography-aes.p12: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for the key
  and the certificates, an HMAC-SHA256 MAC: what `cryptography` writes with
  `PrivateFormat.PKCS12.encryption_builder()` and OpenSSL 3 by default;
- cryptography-3des.p12: pbeWithSHAAnd3-KeyTripleDES-CBC for both, an
  HMAC-SHA1 MAC: the legacy scheme Windows exports;
- cryptography-best.p12: `BestAvailableEncryption`, whatever this version
  of `cryptography` makes of it;

each with the friendly name "sslconf fixture", the passphrase in
`passphrase.txt`, and beside them leaf.pem, key.pem (PKCS#8) and
intermediate.pem, root.pem to compare against. tests/data/ keeps one run's
cryptography-aes.p12 and cryptography-3des.p12 (passphrase
"sslconf-p12-fixture", also in tests/data/cryptography-aes.p12.pass), so
that the doc examples run without Python.
"""

import datetime
import pathlib
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

PASSPHRASE = b"sslconf-p12-fixture"
NAME = b"sslconf fixture"


def certificate(subject, issuer, key, issuer_key, ca, san=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    if san:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


def main(out):
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    root_key, inter_key, leaf_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    root = certificate("sslconf p12 root", "sslconf p12 root", root_key, root_key, True)
    inter = certificate("sslconf p12 intermediate", "sslconf p12 root", inter_key, root_key, True)
    leaf = certificate("p12.example", "sslconf p12 intermediate", leaf_key, inter_key, False,
                       san="p12.example")
    pem = serialization.Encoding.PEM
    (out / "root.pem").write_bytes(root.public_bytes(pem))
    (out / "intermediate.pem").write_bytes(inter.public_bytes(pem))
    (out / "leaf.pem").write_bytes(leaf.public_bytes(pem))
    (out / "key.pem").write_bytes(
        leaf_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    (out / "passphrase.txt").write_bytes(PASSPHRASE)
    schemes = {
        "aes": serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(50000)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(PASSPHRASE),
        "3des": serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(2000)
        .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
        .hmac_hash(hashes.SHA1())
        .build(PASSPHRASE),
        "best": serialization.BestAvailableEncryption(PASSPHRASE),
    }
    for name, encryption in schemes.items():
        der = pkcs12.serialize_key_and_certificates(NAME, leaf_key, leaf, [inter], encryption)
        (out / f"cryptography-{name}.p12").write_bytes(der)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
