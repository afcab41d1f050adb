#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ with valid inputs made by the openssl CLI, so
# that libFuzzer starts from real certificates, keys and cipher names.
# The corpus is not committed (.gitignore); run this before `cargo fuzz run`.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for t in certificate_pem certificate_der private_key_pem private_key_der cipher_from_name cipher_list pkcs12 revocation_list chain_decision; do
  mkdir -p "corpus/$t"
done

# Keys: EC P-256/P-384 (PKCS#8 and SEC1), RSA (PKCS#8 and PKCS#1), Ed25519,
# and encrypted PKCS#8 (PBKDF2 with SHA-256 and SHA-1, scrypt; AES and 3DES).
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/p256.pem" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$work/p384.pem" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/rsa.pem" 2>/dev/null
openssl genpkey -algorithm ED25519 -out "$work/ed25519.pem" 2>/dev/null
openssl ec -in "$work/p256.pem" -out "$work/p256-sec1.pem" 2>/dev/null
openssl rsa -in "$work/rsa.pem" -traditional -out "$work/rsa-pkcs1.pem" 2>/dev/null
openssl pkcs8 -topk8 -v2 aes-256-cbc -iter 16 -in "$work/p256.pem" -passout pass:sslconf-test -out "$work/p256-enc.pem"
openssl pkcs8 -topk8 -v2 aes-128-cbc -scrypt -scrypt_N 16 -scrypt_r 1 -scrypt_p 1 -in "$work/ed25519.pem" -passout pass:sslconf-test -out "$work/ed25519-enc.pem"
openssl pkcs8 -topk8 -v2 des3 -v2prf hmacWithSHA1 -iter 16 -in "$work/p384.pem" -passout pass:sslconf-test -out "$work/p384-des3.pem"
cp ../tests/data/ec-p256-encrypted.pem "$work/test-enc.pem"
plain() { printf '\x00'; cat "$1"; }
withpass() { printf '\x0csslconf-test'; cat "$1"; }
for k in p256 p384 rsa ed25519 p256-sec1 rsa-pkcs1; do
  plain "$work/$k.pem" > "corpus/private_key_pem/$k"
  openssl pkey -in "$work/$k.pem" -outform DER -out "$work/$k.der" 2>/dev/null || true
  plain "$work/$k.der" > "corpus/private_key_der/$k"
done
openssl ec -in "$work/p256.pem" -outform DER -out "$work/p256-sec1.der" 2>/dev/null
plain "$work/p256-sec1.der" > corpus/private_key_der/p256-sec1
openssl rsa -in "$work/rsa.pem" -traditional -outform DER -out "$work/rsa-pkcs1.der" 2>/dev/null
plain "$work/rsa-pkcs1.der" > corpus/private_key_der/rsa-pkcs1
for k in p256-enc ed25519-enc p384-des3 test-enc; do
  withpass "$work/$k.pem" > "corpus/private_key_pem/$k"
  openssl base64 -d -in <(grep -v -- ----- "$work/$k.pem") -out "$work/$k.der"
  withpass "$work/$k.der" > "corpus/private_key_der/$k"
done

# Certificates: a CA, a leaf it signs with every kind of subject alternative
# name and a full subject, a self-signed RSA certificate, and a bundle.
openssl req -x509 -key "$work/p384.pem" -subj "/C=NO/O=sslconf fuzz/CN=Fuzz Root" -days 3650 \
  -addext basicConstraints=critical,CA:true,pathlen:1 -out "$work/root.pem"
openssl req -new -key "$work/p256.pem" -out "$work/leaf.csr" \
  -subj "/C=NO/ST=Oslo/L=Oslo/O=sslconf fuzz/OU=Tests/CN=fuzz.example/emailAddress=fuzz@example.com/serialNumber=42"
printf 'subjectAltName=DNS:fuzz.example,DNS:*.fuzz.example,IP:127.0.0.1,IP:::1,email:fuzz@example.com,URI:https://fuzz.example/\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:false\n' > "$work/ext"
openssl x509 -req -in "$work/leaf.csr" -CA "$work/root.pem" -CAkey "$work/p384.pem" -days 365 \
  -extfile "$work/ext" -out "$work/leaf.pem" 2>/dev/null
openssl req -x509 -key "$work/rsa.pem" -subj "/CN=rsa.example" -days 30 -out "$work/rsa-cert.pem"
openssl req -x509 -key "$work/ed25519.pem" -subj "/CN=ed25519.example" -days 30 -out "$work/ed-cert.pem"
for c in root leaf rsa-cert ed-cert; do
  cp "$work/$c.pem" "corpus/certificate_pem/$c"
  openssl x509 -in "$work/$c.pem" -outform DER -out "corpus/certificate_der/$c"
done
cat "$work/leaf.pem" "$work/root.pem" > corpus/certificate_pem/bundle
cp data/cert.pem corpus/certificate_pem/fixed

# PKCS#12: OpenSSL 3's default (PBES2, AES-256-CBC), -legacy (RC2-40 and
# 3DES), RC2-128 with 2-key 3DES, unencrypted without a MAC, and a file
# from Python's cryptography (3DES, tests/data); low iteration counts, so
# that an execution is cheap.
cat "$work/leaf.pem" "$work/root.pem" > "$work/chain.pem"
p12() { openssl pkcs12 -export -in "$work/leaf.pem" -inkey "$work/p256.pem" -passout pass:sslconf-test \
  -iter 16 -nomaciter "$@"; }
p12 -certfile "$work/root.pem" -name fuzz -out "$work/default.p12"
p12 -certfile "$work/root.pem" -legacy -out "$work/legacy.p12"
p12 -legacy -certpbe PBE-SHA1-RC2-128 -keypbe PBE-SHA1-2DES -out "$work/rc2.p12"
p12 -keypbe NONE -certpbe NONE -nomac -out "$work/plain.p12"
openssl pkcs12 -export -in "$work/rsa-cert.pem" -inkey "$work/rsa.pem" -passout pass:sslconf-test \
  -iter 16 -nomaciter -out "$work/rsa.p12"
for k in default legacy rc2 plain rsa; do
  withpass "$work/$k.p12" > "corpus/pkcs12/$k"
done
{ printf '\x13'; cat ../tests/data/cryptography-aes.p12.pass ../tests/data/cryptography-3des.p12; } > corpus/pkcs12/cryptography-3des

# Revocation lists of the fuzz crate's fixed CA (data/crl-ca.pem and its
# key), from `openssl ca -gencrl`: empty, revoking the fixed leaf
# (data/crl-leaf.pem, serial 1001) and others with reasons, one that
# expired in 2020, a delta CRL, a version 1 CRL (no extensions), in DER and in PEM,
# and a PEM bundle of two CRLs and a certificate.
crl() { # name, index lines, extra `openssl ca` flags
  local name=$1 index=$2; shift 2
  printf '%b' "$index" > "$work/crl-index.txt"
  printf '10\n' > "$work/crlnumber"
  printf '[ ca ]\ndefault_ca = d\n[ d ]\ndatabase = %s\ncrlnumber = %s\ndefault_md = sha256\ndefault_crl_days = 30\n[ delta ]\n2.5.29.27 = critical,DER:02:01:09\n' \
    "$work/crl-index.txt" "$work/crlnumber" > "$work/ca.cnf"
  [ "${V1:-}" = 1 ] && sed -i '/^crlnumber/d' "$work/ca.cnf"
  openssl ca -gencrl -batch -config "$work/ca.cnf" -keyfile data/crl-ca.key -cert data/crl-ca.pem \
    -out "$work/$name.crl" "$@" 2>/dev/null
  cp "$work/$name.crl" "corpus/revocation_list/$name-pem"
  openssl crl -in "$work/$name.crl" -outform DER -out "corpus/revocation_list/$name-der"
}
revoked='R\t991231235959Z\t240101000000Z,keyCompromise\t1001\tunknown\t/CN=crl.example\n'
revoked+='R\t991231235959Z\t240201000000Z,superseded\t2002\tunknown\t/CN=old.example\n'
revoked+='R\t991231235959Z\t240301000000Z\t03\tunknown\t/CN=other.example\n'
revoked+='V\t991231235959Z\t\t1003\tunknown\t/CN=valid.example\n'
crl empty ''
crl revoked "$revoked"
crl expired "$revoked" -crl_lastupdate 200101000000Z -crl_nextupdate 200201000000Z
crl delta "$revoked" -crlexts delta
# Version 1 only without a CRL number and without entry extensions (reasons).
V1=1 crl v1 'R\t991231235959Z\t240101000000Z\t1001\tunknown\t/CN=crl.example\n'
cat "$work/empty.crl" "$work/revoked.crl" data/crl-leaf.pem > corpus/revocation_list/bundle-pem

# Cipher and group names, and lists of them.
i=0
for name in TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256 \
  TLS13_AES_128_GCM_SHA256 ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-RSA-CHACHA20-POLY1305 \
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 X25519 secp256r1 secp384r1 X25519MLKEM768 P-256; do
  printf '%s' "$name" > "corpus/cipher_from_name/$i"; i=$((i + 1))
done
printf '%s' 'TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256' > corpus/cipher_list/0
printf '%s' 'ECDHE-ECDSA-AES256-GCM-SHA384, TLS_CHACHA20_POLY1305_SHA256 ' > corpus/cipher_list/1
printf '%s' 'TLS_AES_256_GCM_SHA384' > corpus/cipher_list/2
printf '%s' 'ECDHE-RSA-AES128-GCM-SHA256' > corpus/cipher_list/3
printf '%s' '' > corpus/cipher_list/4
# chain_decision: one choice per byte, as fuzz_targets/chain_decision.rs
# reads them: mirror, TLS 1.2, leaf, leaf flipped, host, number of
# intermediates and (kind, index) each, anchors, list flags, list mask (2
# bytes), pins, depth, number of expected errors and each one's bytes.
# Indices into src/pki.rs's pool: leaves 0 leaf I1, 1 leaf I2, 2 leaf A,
# 3 leaf IB, 4 revoked, 5 expired, 6 email, 7 other.test, 8 forged under
# I1, 9 forged under A, 10 self-signed, 11 under Not CA, 12 under forged
# I1, 13 serverAuth only, 14 not yet valid, 15 revoked under I2, 16 the
# server's, 17 under NoCRL, 18 revoked under NoCRL, 19 under I1's new key,
# 20 issued by the self-signed leaf's key;
# certificates 0 A, 1 B, 2 I1, 3 I1 by B, 4 I1 expired, 5 I1 pathlen 0,
# 6 I2, 7 IB, 8 B by A, 9 Not CA, 10 forged I1, 21 the self-signed leaf,
# 28 NoCRL (no cRLSign), 29 I1's new key by I1, 30-32 impostors of I1;
# anchor sets 0 A, 1 A and B, 2 B, 3 A and the self-signed leaf, 4 I1;
# list mask m selects lists (m % 1023) + 1: bit 0 I1 current, 1 I1
# expired, 2 I1 newer expired, 3 A current, 4 I2 current, 5 B, 6 IB, 7 I1
# forged, 8 A expired, 9 NoCRL's. One expected-errors entry "all of the chain's": $all.
decision_seed() { printf "$(printf '\\x%s' $2)" > "corpus/chain_decision/$1"; }
all='01 00 00 00'
decision_seed genuine          '00 00 00 00 00 01 03 02 00 00 00 00 02 00 00'
decision_seed genuine-tls12    '00 02 00 00 00 01 03 02 00 00 00 00 02 00 00'
decision_seed two-deep-depth1  '00 00 01 00 00 02 03 06 03 02 00 00 00 00 02 03 00'
decision_seed cross-root       '00 00 03 00 00 02 03 07 03 08 00 00 00 00 02 00 00'
decision_seed revoked-leaf     '00 00 04 00 00 01 03 02 00 03 00 00 02 00 00'
decision_seed forged-list      '00 00 04 00 00 01 03 02 00 01 00 80 02 00 00'
decision_seed expired-all      "00 00 05 00 00 01 03 02 00 00 00 00 02 00 $all"
decision_seed forged-i1-all    "00 00 08 00 00 01 03 02 00 00 00 00 02 00 $all"
decision_seed forged-a-all     "00 00 09 00 00 01 03 00 02 00 00 00 02 00 $all"
decision_seed exact-pin        '00 00 0a 00 00 00 03 00 00 00 02 00 00'
decision_seed self-signed-all  "00 00 0a 00 00 00 00 00 00 00 02 00 $all"
decision_seed email-all        "00 00 06 00 00 01 03 02 00 00 00 00 02 00 $all"
decision_seed other-host-all   "00 00 07 00 00 01 03 02 00 00 00 00 02 00 $all"
decision_seed not-ca-all       "00 00 0b 00 00 01 03 09 00 00 00 00 02 00 $all"
decision_seed forged-ca-all    "00 00 0c 00 00 01 03 0a 00 00 00 00 02 00 $all"
decision_seed mirror           '03 00 00 00 00 01 03 02 00 00 00 00 02 00 00'
decision_seed mirror-purpose   "03 00 0d 00 00 01 03 02 00 00 00 00 02 00 $all"
decision_seed pinned-int       '00 00 00 00 00 01 03 02 00 00 00 00 06 02 00 00 00'
decision_seed pins-alone       '00 00 0a 00 00 00 00 00 00 00 07 15 00 00 00'
decision_seed variants-lists   '00 00 01 00 00 04 03 06 03 03 03 02 03 04 00 0f 01 fe 02 00 00'
decision_seed pathlen          '00 00 01 00 00 03 03 06 03 05 03 02 00 00 00 00 02 00 00'
decision_seed revoked-i2-all   "00 00 0f 00 00 02 03 06 03 02 00 01 00 18 02 00 $all"
decision_seed i1-anchor        '00 00 00 00 00 00 04 00 00 00 02 00 00'
decision_seed stale-list-all   "00 00 02 00 00 00 00 01 00 ff 02 00 $all"
decision_seed not-yet-all      "00 00 0e 00 00 01 03 02 00 00 00 00 02 00 $all"
decision_seed no-crl-signer    "00 00 12 00 00 01 03 1c 00 03 01 ff 02 00 $all"
decision_seed rollover         '00 00 13 00 00 02 03 1d 03 02 00 00 00 00 02 00 00'
decision_seed rollover-depth1  "00 00 13 00 00 02 03 1d 03 02 00 00 00 00 02 03 $all"
decision_seed impostors        "00 00 04 00 00 04 03 1e 03 1f 03 20 03 02 00 01 00 00 02 00 $all"
decision_seed impostors-b      "00 00 04 00 00 04 03 1e 03 1f 03 20 03 02 02 01 00 00 02 00 $all"
decision_seed under-self-all   "00 00 14 00 00 00 03 00 00 00 02 00 $all"
echo "seeded: $(for t in corpus/*; do printf '%s=%s ' "${t#corpus/}" "$(ls "$t" | wc -l)"; done)"
