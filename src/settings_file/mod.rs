//! Settings from a file (feature `serde`): [`SettingsFile`], the settings of
//! an [`SslConfiguration`] as TOML (or anything serde reads and writes).

mod load;
mod location;
mod names;
mod option_map;
mod refusal;
mod side;
mod write;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use self::load::FieldError;
use self::location::FieldPath;
pub use self::side::Side;
use self::side::Sided;
use crate::{
    Cipher, Error, InvalidInput, KeyExchangeGroup, MozillaProfile, PeerVerifyMode, PublicKeyPin,
    RevocationDepth, SslConfiguration, SslOption, SslProtocol,
};

/// The settings of an [`SslConfiguration`] as a file: TOML with kebab-case
/// keys, or anything serde reads and writes. Every field may be left out,
/// meaning the setting's default; a field this type does not have is an
/// error, never ignored. Names are those the types' `FromStr` reads
/// ([`SslProtocol`], [`Cipher`], [`KeyExchangeGroup`], [`PeerVerifyMode`],
/// [`SslOption`], [`RevocationDepth`], [`PublicKeyPin`], [`MozillaProfile`]),
/// and relative paths are relative to the settings file.
///
/// Certificates and keys are always files, never inline, and a key's
/// passphrase is never in the settings: a file holding it
/// (`key-passphrase-file`, its first line) or an environment variable
/// (`key-passphrase-env`) is named instead.
///
/// An identity is a `certificate-file` and its `key-file`, or one
/// `pkcs12-file` (`.p12`, `.pfx`: the key, its certificate and the
/// certificates that issued it, as
/// [`Identity::from_pkcs12_file`](crate::Identity::from_pkcs12_file) reads
/// it), never both; `key-passphrase-file` and `key-passphrase-env` name the
/// passphrase of either, and a PKCS#12 file without them is opened with the
/// empty passphrase. The passphrase file is read again on every reload,
/// with the files it unlocks.
///
/// ```toml
/// protocol = "tls1.2+"                      # SslProtocol: tls1.3, secure, TlsV1_2OrLater ...
/// ciphers = ["TLS_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"]  # IANA or OpenSSL names
/// key-exchange-groups = ["X25519MLKEM768", "X25519", "P-256"]
/// ca-certificate-files = ["clients-ca.pem"] # replaces the system store
/// # system-ca-certificates = false          # no CA at all (without ca-certificate-files)
/// revocation-list-files = ["clients-ca.crl"] # CRLs, PEM or DER; read again by reload
/// revocation-depth = "leaf"                 # or chain (the default)
/// # unknown-revocation-status-allowed = true # an issuer without a CRL passes
/// # expired-revocation-lists-allowed = true # a CRL past its nextUpdate is used
/// public-key-pins = ["sha256//YLh1dUR9y6Kja30RrAn7JKnbQG/uEtLMkBgFF2Fuihg="]
/// # public-key-pins-only = true             # pins instead of CA verification
/// # mozilla-profile = "intermediate"        # applied first, wherever it is: protocol, ciphers, ... replace its values
/// # ocsp-stapling = true                    # a client keeps the server's staple
/// peer-verify-mode = "verify"               # none, query, verify, auto
/// peer-verify-depth = 2                     # intermediate CAs at most; 0: no limit
/// allowed-next-protocols = ["h2", "http/1.1"]
/// unknown-server-names-refused = true
/// session-ticket-key-files = ["tickets/new.key", "tickets/old.key"]
/// session-ticket-lifetime-seconds = 3600
/// handshake-timeout-ms = 10000             # the deadline of a whole handshake in connect/accept
/// # key-log-file = "keys.log"              # or key-log-from-env = true (SSLKEYLOGFILE)
///
/// [local-identity]
/// certificate-file = "server.pem"          # the chain, leaf first
/// key-file = "server.key"
/// key-passphrase-file = "server.pass"      # or key-passphrase-env = "SERVER_KEY_PASSPHRASE"
/// ocsp-response-file = "server.ocsp"       # DER, stapled; read again with the chain and key
///
/// [[added-local-identities]]               # e.g. an RSA one beside an ECDSA one
/// certificate-file = "server-rsa.pem"
/// key-file = "server-rsa.key"
///
/// [[server-name-identities]]
/// names = ["api.example.com", "*.api.example.com"]
/// certificate-file = "api.pem"
/// key-file = "api.key"
///
/// [[server-name-identities]]              # a PKCS#12 file instead of certificate-file and key-file
/// names = ["legacy.example.com"]
/// pkcs12-file = "legacy.p12"               # its passphrase: key-passphrase-file or -env (else empty)
/// key-passphrase-env = "LEGACY_P12_PASSPHRASE"
///
/// [ssl-options]                            # Qt's names; only what differs from the default
/// DisableSessionTickets = true
/// ```
///
/// Each field is applied with the setter of the same name
/// (`ca-certificate-files` with
/// [`with_ca_certificate_files`](SslConfiguration::with_ca_certificate_files),
/// `local-identity` with [`with_local_identity`](SslConfiguration::with_local_identity)
/// of an [`Identity::from_files`](crate::Identity::from_files), ...), so a
/// file behaves exactly as the code would, reloads included: the files it
/// names are read again by [`reload`](SslConfiguration::reload) and
/// watched by `watch`.
///
/// # Server and client
///
/// One file can configure both sides of a service: the server it runs and
/// the client it calls other services with. The top level is for both
/// sides; a `[server]` table and a `[client]` table take any top-level
/// setting for their side only, in place of the top level's. Each replaces
/// a whole field (a list, an identity table); where CA certificates come
/// from (`ca-certificate-files`, `system-ca-certificates`) is one setting,
/// and so is the key log (`key-log-file`, `key-log-from-env`);
/// `ssl-options` are replaced option by option. Every load names the
/// [`Side`] it is for:
///
/// ```no_run
/// use sslconf::{Side, SslConfiguration};
///
/// let server = SslConfiguration::from_toml_file("/etc/node/tls.toml", Side::Server)?;
/// let client = SslConfiguration::from_toml_file("/etc/node/tls.toml", Side::Client)?;
/// # Ok::<(), sslconf::Error>(())
/// ```
///
/// So a local identity at the top level is served by the server and
/// presented by the client (one certificate for both, as a fleet node with
/// the serverAuth and clientAuth usages has); in `[server]` it is only
/// served, in `[client]` only presented. A file without side tables
/// configures both sides alike. A side table holds no side table, nor what
/// only the other side uses: `[client]` none of `added-local-identities`,
/// `server-name-identities`, `unknown-server-names-refused`,
/// `session-ticket-key-files` and `session-ticket-lifetime-seconds`,
/// `[server]` no `ocsp-stapling` (at the top level, the side that does not
/// use them ignores them).
///
/// A node of a fleet, which serves its peers and calls them, each side
/// with its own certificate, each verifying the other against the fleet's
/// CA (the repository's `axum_server --config node.toml --peer URL`, in
/// `examples/ecosystem`, is one, and its `tests/ecosystem.rs` runs two
/// against each other):
///
/// ```toml
/// # Both sides.
/// protocol = "tls1.3"
/// allowed-next-protocols = ["h2", "http/1.1"]
/// ca-certificate-files = ["fleet-ca.pem"]   # the fleet's CA only, not the system store
/// revocation-list-files = ["fleet-ca.crl"]
/// peer-verify-mode = "verify"               # a server requires a client certificate
/// handshake-timeout-ms = 10000
///
/// [server]
/// session-ticket-key-files = ["tickets/current.key", "tickets/previous.key"]
/// session-ticket-lifetime-seconds = 3600
///
/// [server.local-identity]                   # served to the clients that call this node
/// certificate-file = "node.pem"
/// key-file = "node.key"
///
/// [client]
/// handshake-timeout-ms = 3000               # replaces the top level's, for calls out
///
/// [client.local-identity]                   # presented to the servers this node calls
/// certificate-file = "node-client.pem"
/// key-file = "node-client.key"
/// key-passphrase-env = "NODE_CLIENT_KEY_PASSPHRASE"
///
/// [client.ssl-options]
/// DisableSessionTickets = true
/// ```
///
/// A configuration is read with [`SslConfiguration::from_toml_file`] (or
/// [`from_toml_str`](SslConfiguration::from_toml_str) from text, or
/// [`SslConfiguration::from_settings_file`] from a `SettingsFile` any serde
/// format read) and written back with
/// [`SslConfiguration::to_settings_file`] (then [`SettingsFile::to_toml`],
/// or any serde format): a configuration is one side's, so it is written
/// without side tables, and reads back the same for that side.
///
/// # Bad files
///
/// A settings file that does not load is an [`Error::SettingsFile`] naming
/// the file, the line and column of the value at fault and its field; the
/// reason, with what was expected, is its `source()`.
///
/// Loading converts the configuration for its side, as
/// [`server_config`](SslConfiguration::server_config) or
/// [`client_config`](SslConfiguration::client_config) would (and keeps
/// what it built: those calls return it), so that everything rustls cannot
/// honour is refused there, at the field that asks for it: TLS 1.0 or 1.1
/// alone, a cipher list that leaves an enabled protocol no suite, an SSL
/// option rustls always applies turned off, a key that is not its
/// certificate's, a server without a certificate, `VerifyPeer` on a server
/// without CA certificates, a ticket lifetime out of range or without
/// ticket keys, an unusable key log file. A setting that is missing is
/// named where it would go: in the side's table when the file has one. A
/// file that loads converts.
///
/// These are the messages (`Display`, then each `source()`, joined by ": ")
/// of a `tls.toml` holding one line, loaded for one side
/// (`tests/settings_file.rs` checks each, and that this table is the one
/// it checks):
///
/// | `tls.toml` | loaded for | message |
/// |---|---|---|
/// | `` local-identity = { certificate-file = "server.pem", key-file = "server.key", passphrase-file = "server.pass" } `` | server | `` tls.toml:1:78: setting local-identity.passphrase-file: unknown field `passphrase-file`, expected one of `certificate-file`, `key-file`, `pkcs12-file`, `key-passphrase-file`, `key-passphrase-env`, `ocsp-response-file` `` |
/// | `` peer-verify-depth = "2" `` | server | `` tls.toml:1:21: setting peer-verify-depth: invalid type: string "2", expected u32 `` |
/// | `` local-identity = { certificate-file = "server.pem", key-file = "missing.key" } `` | server | `` tls.toml:1:64: setting local-identity.key-file: cannot read missing.key: No such file or directory (os error 2) `` |
/// | `` local-identity = { certificate-file = "enc.pem", key-file = "enc.key", key-passphrase-file = "wrong.pass" } `` | server | `` tls.toml:1:94: setting local-identity.key-passphrase-file: cannot decrypt the private key in enc.key: wrong passphrase `` |
/// | `` ciphers = ["TLS_AES_128_GCM_SHA256", "RC4-MD5"] `` | server | `` tls.toml:1:38: setting ciphers[1]: unknown cipher "RC4-MD5": expected an IANA or OpenSSL name of a TLS 1.2/1.3 suite `` |
/// | `` peer-verify-mode = "sometimes" `` | server | `` tls.toml:1:20: setting peer-verify-mode: unknown peer verify mode "sometimes": expected none, query, verify or auto (or VerifyNone, QueryPeer, VerifyPeer, AutoVerifyPeer) `` |
/// | `` ssl-options = { DisableTickets = true } `` | server | `` tls.toml:1:17: setting ssl-options.DisableTickets: unknown ssl option "DisableTickets": expected a Qt option name: DisableEmptyFragments, DisableSessionTickets, DisableCompression, DisableServerNameIndication, DisableLegacyRenegotiation, DisableSessionSharing, DisableSessionPersistence or DisableServerCipherPreference `` |
/// | `` protocol = "tls1.3 `` | server | `` tls.toml:1:19: invalid TOML: invalid basic string, expected `"` `` |
/// | `` mozilla-profile = "old" `` | server | `` tls.toml:1:19: setting mozilla-profile: unknown mozilla profile "old": expected modern or intermediate `` |
/// | `` revocation-depth = "intermediate" `` | server | `` tls.toml:1:20: setting revocation-depth: unknown revocation depth "intermediate": expected leaf or chain `` |
/// | `` public-key-pins = ["sha256//e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"] `` | server | `` tls.toml:1:20: setting public-key-pins[0]: invalid public key pin "sha256//e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855": not the 32 bytes of a SHA-256 digest `` |
/// | `` public-key-pins = ["pin-sha256=\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\""] `` | server | `` tls.toml:1:20: setting public-key-pins[0]: invalid public key pin "pin-sha256=\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"": not base64 `` |
/// | `` revocation-list-files = ["ca.crl", "missing.crl"] `` | server | `` tls.toml:1:36: setting revocation-list-files[1]: cannot read missing.crl: No such file or directory (os error 2) `` |
/// | `` revocation-list-files = ["ca.crl", "delta.crl"] `` | server | `` tls.toml:1:36: setting revocation-list-files[1]: invalid certificate revocation list in delta.crl: delta CRLs are not supported: give the complete CRL `` |
/// | `` revocation-list-files = ["ca.pem"] `` | server | `` tls.toml:1:26: setting revocation-list-files[0]: invalid certificate revocation list in ca.pem: no X509 CRL section found `` |
/// | `` local-identity = { certificate-file = "server.pem", key-file = "server.key", ocsp-response-file = "server.pem" } `` | server | `` tls.toml:1:99: setting local-identity.ocsp-response-file: the ocsp response in server.pem cannot be stapled to "server.example": not a DER OCSP response: unknown/unsupported ASN.1 DER tag: 0x2d `` |
/// | `` local-identity = { pkcs12-file = "id.p12", key-passphrase-file = "wrong.pass" } `` | server | `` tls.toml:1:66: setting local-identity.key-passphrase-file: cannot open the PKCS#12 file in id.p12: wrong passphrase `` |
/// | `` local-identity = { pkcs12-file = "server.pem" } `` | server | `` tls.toml:1:34: setting local-identity.pkcs12-file: invalid PKCS#12 file in server.pem: not a DER PKCS#12 file: unknown/unsupported ASN.1 DER tag: 0x2d `` |
/// | `` local-identity = { certificate-file = "server.pem", key-file = "server.key", pkcs12-file = "id.p12" } `` | server | `` tls.toml:1:92: setting local-identity.pkcs12-file: expected certificate-file and key-file, or pkcs12-file, not both `` |
/// | `` local-identity = { key-passphrase-file = "good.pass" } `` | server | `` tls.toml:1:18: setting local-identity: expected certificate-file and key-file, or pkcs12-file `` |
///
/// | `` protocol = "tls1.1" `` | client | `` tls.toml:1:12: setting protocol: TLS 1.1 is not supported (rustls speaks TLS 1.2 and TLS 1.3 only) `` |
/// | `` client = { protocol = "tls1.3", ciphers = ["ECDHE-RSA-AES128-GCM-SHA256"] } `` | client | `` tls.toml:1:43: setting client.ciphers: no cipher left for TLS 1.3, which the protocol setting enables `` |
/// | `` ssl-options = { DisableCompression = false } `` | client | `` tls.toml:1:38: setting ssl-options.DisableCompression: rustls always applies it, it cannot be turned off `` |
/// | `` key-exchange-groups = [] `` | client | `` tls.toml:1:23: setting key-exchange-groups: the list is empty `` |
/// | `` allowed-next-protocols = ["h2", ""] `` | client | `` tls.toml:1:33: setting allowed-next-protocols[1]: protocol #1 is 0 bytes long, expected 1 to 255 `` |
/// | `` local-identity = { certificate-file = "server.pem", key-file = "api.key" } `` | client | `` tls.toml:1:64: setting local-identity.key-file: the private key does not match the certificate "server.example" `` |
/// | `` peer-verify-mode = "verify" `` | server | `` tls.toml:1:1: setting local-identity: a server needs a local certificate `` |
/// | `` client = { local-identity = { certificate-file = "server.pem", key-file = "server.key" } } `` | server | `` tls.toml:1:1: setting local-identity: a server needs a local certificate `` |
/// | `` server = { peer-verify-mode = "verify", local-identity = { certificate-file = "server.pem", key-file = "server.key" } } `` | server | `` tls.toml:1:31: setting server.peer-verify-mode: a server verifies clients against explicitly configured CA certificates only, never the system store: set them with with_ca_certificates or with_added_ca_certificates `` |
/// | `` server = { session-ticket-lifetime-seconds = 0, local-identity = { certificate-file = "server.pem", key-file = "server.key" } } `` | server | `` tls.toml:1:46: setting server.session-ticket-lifetime-seconds: 0ns is not between 1 second and 7 days (RFC 8446's limit) `` |
/// | `` client = { session-ticket-key-files = ["new.ticket"] } `` | client | `` tls.toml:1:39: setting client.session-ticket-key-files: only a server uses it: give it in [server] or at the top level `` |
/// | `` server = { client = { protocol = "tls1.3" } } `` | server | `` tls.toml:1:21: setting server.client: side tables are only at the top level `` |
///
/// Writing back refuses, with [`Error::SettingNotWritable`] naming the
/// field, what a file cannot hold: certificates, keys, CA certificates,
/// revocation lists, OCSP responses or session-ticket keys given as values
/// rather than read from files (a settings file names files, it never
/// embeds a certificate or a key), a passphrase given as a value (only its
/// file or variable is ever written), and expected SSL errors.
///
/// # Mozilla's profiles
///
/// `mozilla-profile` is applied before every other field, wherever it is in
/// the file: `protocol`, `ciphers`, `key-exchange-groups` and
/// `ssl-options.DisableServerCipherPreference` given beside it replace what
/// the profile set, as setters called after
/// [`with_mozilla_profile`](SslConfiguration::with_mozilla_profile) would.
/// Writing back never writes the profile's name (a configuration does not
/// remember where its values came from): it writes the protocol, suites,
/// groups and option the profile set, which read back to the same
/// configuration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[non_exhaustive]
pub struct SettingsFile {
    /// [`with_mozilla_profile`](SslConfiguration::with_mozilla_profile):
    /// `"modern"` or `"intermediate"`. Applied first, so that `protocol`,
    /// `ciphers`, `key-exchange-groups` and `ssl-options` given beside it
    /// replace what it set. Never written back: a configuration does not
    /// remember that a profile made its settings, so
    /// [`to_settings_file`](SslConfiguration::to_settings_file) writes the
    /// values the profile set instead (which keeps them if a later version
    /// of the crate follows a newer guideline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mozilla_profile: Option<MozillaProfile>,
    /// [`with_protocol`](SslConfiguration::with_protocol).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<SslProtocol>,
    /// [`with_ciphers`](SslConfiguration::with_ciphers), in preference order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ciphers: Option<Vec<Cipher>>,
    /// [`with_key_exchange_groups`](SslConfiguration::with_key_exchange_groups), in preference order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_exchange_groups: Option<Vec<KeyExchangeGroup>>,
    /// [`with_ca_certificate_files`](SslConfiguration::with_ca_certificate_files):
    /// the CA certificates, instead of the system store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_certificate_files: Option<Vec<PathBuf>>,
    /// `false`: no CA certificates at all, not even the system store
    /// ([`with_ca_certificates`](SslConfiguration::with_ca_certificates) of
    /// none). Default: `true` without `ca-certificate-files`; `true` with
    /// them is an error, as they replace the system store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_ca_certificates: Option<bool>,
    /// [`with_revocation_list_files`](SslConfiguration::with_revocation_list_files):
    /// the CRLs (PEM, any number each, or DER) verified paths are checked
    /// against, read again by [`reload`](SslConfiguration::reload).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_list_files: Option<Vec<PathBuf>>,
    /// [`with_revocation_depth`](SslConfiguration::with_revocation_depth):
    /// `"leaf"` or `"chain"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_depth: Option<RevocationDepth>,
    /// [`with_unknown_revocation_status_allowed`](SslConfiguration::with_unknown_revocation_status_allowed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown_revocation_status_allowed: Option<bool>,
    /// [`with_expired_revocation_lists_allowed`](SslConfiguration::with_expired_revocation_lists_allowed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_revocation_lists_allowed: Option<bool>,
    /// [`with_public_key_pins`](SslConfiguration::with_public_key_pins):
    /// base64 SHA-256 digests of keys, bare or after `sha256//` (see
    /// [`PublicKeyPin`]); written bare.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_pins: Option<Vec<PublicKeyPin>>,
    /// [`with_public_key_pins_only`](SslConfiguration::with_public_key_pins_only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_pins_only: Option<bool>,
    /// [`with_peer_verify_mode`](SslConfiguration::with_peer_verify_mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_verify_mode: Option<PeerVerifyMode>,
    /// [`with_peer_verify_depth`](SslConfiguration::with_peer_verify_depth).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_verify_depth: Option<u32>,
    /// [`with_allowed_next_protocols`](SslConfiguration::with_allowed_next_protocols) (ALPN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_next_protocols: Option<Vec<String>>,
    /// [`with_ocsp_stapling_enabled`](SslConfiguration::with_ocsp_stapling_enabled):
    /// whether a client keeps the server's OCSP staple.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocsp_stapling: Option<bool>,
    /// [`with_key_log_file`](SslConfiguration::with_key_log_file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_log_file: Option<PathBuf>,
    /// [`with_key_log_from_env`](SslConfiguration::with_key_log_from_env)
    /// when `true`; not together with `key-log-file`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub key_log_from_env: bool,
    /// [`with_unknown_server_names_refused`](SslConfiguration::with_unknown_server_names_refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown_server_names_refused: Option<bool>,
    /// [`with_session_ticket_keys`](SslConfiguration::with_session_ticket_keys)
    /// of [`TicketKeys::from_paths`](crate::TicketKeys::from_paths): the
    /// first seals, every one opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_ticket_key_files: Option<Vec<PathBuf>>,
    /// [`with_session_ticket_lifetime`](SslConfiguration::with_session_ticket_lifetime), in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_ticket_lifetime_seconds: Option<u64>,
    /// [`with_handshake_timeout`](SslConfiguration::with_handshake_timeout), in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handshake_timeout_ms: Option<u64>,
    /// [`with_local_identity`](SslConfiguration::with_local_identity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_identity: Option<IdentitySettings>,
    /// [`with_added_local_identity`](SslConfiguration::with_added_local_identity), each in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added_local_identities: Vec<IdentitySettings>,
    /// [`with_server_name_identity`](SslConfiguration::with_server_name_identity), each in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub server_name_identities: Vec<ServerNameIdentitySettings>,
    /// [`with_ssl_option`](SslConfiguration::with_ssl_option) for each
    /// option named: a table of Qt's names and `true` or `false`.
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "option_map")]
    pub ssl_options: Vec<(SslOption, bool)>,
    /// `[server]`: settings for the server side only, in place of the top
    /// level's (see [Server and client](SettingsFile#server-and-client)).
    /// Any top-level setting but `ocsp-stapling` and the side tables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<Box<SettingsFile>>,
    /// `[client]`: settings for the client side only, in place of the top
    /// level's. Any top-level setting but the server's own
    /// (`added-local-identities`, `server-name-identities`,
    /// `unknown-server-names-refused`, `session-ticket-key-files`,
    /// `session-ticket-lifetime-seconds`) and the side tables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<Box<SettingsFile>>,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// The files of an identity: a certificate chain file and its key file, or
/// one PKCS#12 file (`pkcs12-file`, not with either); and where the key's
/// passphrase (or the PKCS#12 file's) is, if it has one: at most one of
/// `key-passphrase-file` and `key-passphrase-env`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[non_exhaustive]
pub struct IdentitySettings {
    /// The certificate chain, leaf first (PEM, or one DER certificate);
    /// with `key-file`, unless `pkcs12-file` is given instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_file: Option<PathBuf>,
    /// Its private key (PEM or DER; PKCS#8, PKCS#1 or SEC1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_file: Option<PathBuf>,
    /// A PKCS#12 file (`.p12`, `.pfx`) holding the key and its chain
    /// ([`Identity::from_pkcs12_file`](crate::Identity::from_pkcs12_file)),
    /// instead of
    /// `certificate-file` and `key-file`; its passphrase is named by
    /// `key-passphrase-file` or `key-passphrase-env`, and is empty without
    /// them. Needs the `pkcs12` feature (else
    /// [`Error::FeatureNotEnabled`](crate::Error::FeatureNotEnabled) at load).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkcs12_file: Option<PathBuf>,
    /// A file whose first line is the passphrase of the key, or of the
    /// PKCS#12 file, read again with it
    /// ([`Passphrase::from_file`](crate::Passphrase::from_file)). Needs the
    /// `encrypted-keys` feature (or `pkcs12`, for a PKCS#12 file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_passphrase_file: Option<PathBuf>,
    /// An environment variable holding the passphrase of the key, or of the
    /// PKCS#12 file, read at load
    /// ([`Passphrase::from_env`](crate::Passphrase::from_env)). Needs the
    /// `encrypted-keys` feature (or `pkcs12`, for a PKCS#12 file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_passphrase_env: Option<String>,
    /// A DER OCSP response to staple
    /// ([`Identity::with_ocsp_response_file`](crate::Identity::with_ocsp_response_file)),
    /// read again with the chain and key; checked when the settings are
    /// read to be a successful response for the leaf. Needs the `ocsp`
    /// feature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocsp_response_file: Option<PathBuf>,
}

impl IdentitySettings {
    /// An identity from a chain file and a key file without a passphrase.
    pub fn new(certificate_file: impl Into<PathBuf>, key_file: impl Into<PathBuf>) -> Self {
        Self {
            certificate_file: Some(certificate_file.into()),
            key_file: Some(key_file.into()),
            ..Self::empty()
        }
    }

    /// An identity from a PKCS#12 file with an empty passphrase (set
    /// `key_passphrase_file` or `key_passphrase_env` for another).
    pub fn pkcs12(pkcs12_file: impl Into<PathBuf>) -> Self {
        Self {
            pkcs12_file: Some(pkcs12_file.into()),
            ..Self::empty()
        }
    }

    /// No field set.
    fn empty() -> Self {
        Self {
            certificate_file: None,
            key_file: None,
            pkcs12_file: None,
            key_passphrase_file: None,
            key_passphrase_env: None,
            ocsp_response_file: None,
        }
    }
}

/// An identity served to clients that ask for one of `names` (SNI):
/// exact names or `*.` wildcards, as
/// [`with_server_name_identity`](SslConfiguration::with_server_name_identity)
/// takes them; its other fields are an [`IdentitySettings`]'.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[non_exhaustive]
pub struct ServerNameIdentitySettings {
    /// The names served.
    pub names: Vec<String>,
    /// As [`IdentitySettings::certificate_file`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_file: Option<PathBuf>,
    /// As [`IdentitySettings::key_file`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_file: Option<PathBuf>,
    /// As [`IdentitySettings::pkcs12_file`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkcs12_file: Option<PathBuf>,
    /// As [`IdentitySettings::key_passphrase_file`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_passphrase_file: Option<PathBuf>,
    /// As [`IdentitySettings::key_passphrase_env`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_passphrase_env: Option<String>,
    /// As [`IdentitySettings::ocsp_response_file`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocsp_response_file: Option<PathBuf>,
}

impl ServerNameIdentitySettings {
    /// `identity` for `names`.
    pub fn new(
        names: impl IntoIterator<Item = impl Into<String>>,
        identity: IdentitySettings,
    ) -> Self {
        Self {
            names: names.into_iter().map(Into::into).collect(),
            certificate_file: identity.certificate_file,
            key_file: identity.key_file,
            pkcs12_file: identity.pkcs12_file,
            key_passphrase_file: identity.key_passphrase_file,
            key_passphrase_env: identity.key_passphrase_env,
            ocsp_response_file: identity.ocsp_response_file,
        }
    }

    /// Its identity's fields.
    pub fn identity(&self) -> IdentitySettings {
        IdentitySettings {
            certificate_file: self.certificate_file.clone(),
            key_file: self.key_file.clone(),
            pkcs12_file: self.pkcs12_file.clone(),
            key_passphrase_file: self.key_passphrase_file.clone(),
            key_passphrase_env: self.key_passphrase_env.clone(),
            ocsp_response_file: self.ocsp_response_file.clone(),
        }
    }
}

/// What a string of TOML is called in errors.
const TOML_INPUT: &str = "TOML input";

impl SettingsFile {
    /// These settings as TOML text.
    ///
    /// # Errors
    /// [`Error::SettingNotWritable`] for a value that has no name to write
    /// ([`SslProtocol::UnknownProtocol`], a key-exchange group without a
    /// name, a path that is not UTF-8).
    pub fn to_toml(&self) -> Result<String, Error> {
        let mut text = toml::ser::Buffer::new();
        let serializer = toml::Serializer::pretty(&mut text);
        serde_path_to_error::serialize(self, serializer).map_err(|error| {
            Error::SettingNotWritable {
                field: FieldPath::from_serde(error.path()).to_string(),
                source: InvalidInput::new(error.inner().to_string()),
            }
        })?;
        Ok(text.to_string())
    }
}

/// Deserializes TOML text, errors located and named as `file`.
fn parse(text: &str, file: &str) -> Result<SettingsFile, Error> {
    let located = |path: &FieldPath, offset: Option<usize>, message: &str| {
        let (line, column) = offset.map_or((0, 0), |at| location::line_column(text, at));
        Error::SettingsFile {
            file: file.to_owned(),
            line,
            column,
            field: path.to_string(),
            source: Box::new(InvalidInput::new(message.to_owned())),
        }
    };
    let deserializer = toml::de::Deserializer::parse(text).map_err(|error| {
        located(
            &FieldPath::default(),
            error.span().map(|s| s.start),
            error.message(),
        )
    })?;
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = FieldPath::from_serde(error.path());
        let inner = error.inner();
        // toml's span is the value that failed to deserialize, or the key
        // that is unknown; the path finds an element inside an array that
        // failed as a whole.
        let value = location::offset_of(text, &path);
        let offset = match (inner.span(), value) {
            (Some(span), Some(at)) if span.contains(&at) => Some(at),
            (Some(span), _) => Some(span.start),
            (None, at) => at,
        };
        located(&path, offset, inner.message())
    })
}

/// The configuration of `side` that `settings` describe, converted for it.
fn load(settings: &SettingsFile, base: &Path, side: Side) -> Result<SslConfiguration, FieldError> {
    let sided = Sided::new(settings, side)?;
    let config = load::configuration(sided.settings(), base).map_err(|e| sided.relocate(e))?;
    refusal::check(&config, side, sided.settings()).map_err(|e| sided.relocate(e))?;
    Ok(config)
}

/// A failure to apply settings, located in `text` when there is one.
fn field_error(error: FieldError, file: &str, text: Option<&str>) -> Error {
    let (line, column) = text
        .and_then(|text| {
            Some(location::line_column(
                text,
                location::offset_of(text, &error.path)?,
            ))
        })
        .unwrap_or((0, 0));
    Error::SettingsFile {
        file: file.to_owned(),
        line,
        column,
        field: error.path.to_string(),
        source: error.source,
    }
}

/// Reading and writing settings files (feature `serde`).
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl SslConfiguration {
    /// The configuration a TOML settings file describes for `side` (see
    /// [`SettingsFile`]: the top level, with the side's table over it);
    /// relative paths in it are relative to the file's directory (made
    /// absolute). The files it names are read now, and again by
    /// [`reload`](Self::reload). The configuration is converted for `side`
    /// now, so that a setting rustls cannot honour is refused here at its
    /// line, and [`server_config`](Self::server_config) or
    /// [`client_config`](Self::client_config) then returns what was built.
    /// A configuration read from a file is never [null](Self::is_null),
    /// even from an empty one, and does not start from the
    /// [default configuration](Self::default_configuration).
    ///
    /// ```no_run
    /// use sslconf::{Side, SslConfiguration};
    ///
    /// let server = SslConfiguration::from_toml_file("/etc/myserver/tls.toml", Side::Server)?;
    /// let config = server.server_config()?; // built by from_toml_file
    /// # Ok::<(), sslconf::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::ReadFile`] when the settings file cannot be read;
    /// [`Error::SettingsFile`] naming the file, line, column and field of
    /// the value at fault (see the [`SettingsFile`] docs for what each
    /// says), the reason as its `source()`: bad TOML, an unknown field, a
    /// value of the wrong type, a file it names that does not read, or a
    /// setting the conversion for `side` refuses.
    pub fn from_toml_file(path: impl AsRef<Path>, side: Side) -> Result<Self, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::ReadFile {
            path: path.to_owned(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new(""));
        Self::from_toml(
            &text,
            &path.display().to_string(),
            &absolute_base(base),
            side,
        )
    }

    /// As [`from_toml_file`](Self::from_toml_file), from TOML text whose
    /// relative paths are relative to `base_dir` (made absolute now, so a
    /// later change of the working directory changes nothing); errors name
    /// the file `"TOML input"`.
    ///
    /// # Errors
    /// As [`from_toml_file`](Self::from_toml_file).
    pub fn from_toml_str(
        text: &str,
        base_dir: impl AsRef<Path>,
        side: Side,
    ) -> Result<Self, Error> {
        Self::from_toml(text, TOML_INPUT, &absolute_base(base_dir.as_ref()), side)
    }

    fn from_toml(text: &str, file: &str, base: &Path, side: Side) -> Result<Self, Error> {
        let settings = parse(text, file)?;
        load(&settings, base, side).map_err(|e| field_error(e, file, Some(text)))
    }

    /// The configuration `settings` describe for `side`, read with any
    /// serde format (or a table inside another settings document), loaded
    /// and checked as [`from_toml_file`](Self::from_toml_file) does;
    /// relative paths are relative to `base_dir` (made absolute now, so a
    /// later change of the working directory changes nothing).
    ///
    /// # Errors
    /// [`Error::SettingsFile`] (file `"settings"`, line 0) naming the field
    /// whose value failed, or that the conversion for `side` refuses.
    pub fn from_settings_file(
        settings: &SettingsFile,
        base_dir: impl AsRef<Path>,
        side: Side,
    ) -> Result<Self, Error> {
        load(settings, &absolute_base(base_dir.as_ref()), side)
            .map_err(|e| field_error(e, "settings", None))
    }

    /// These settings as a [`SettingsFile`], to write back:
    /// `from_settings_file` of it, for a side they convert for, makes an
    /// equal configuration. It has no side tables: a configuration is one
    /// side's. Files are
    /// written as they were given (relative paths stay relative to the
    /// directory they were relative to). CA certificate files are read
    /// again, to tell their certificates from any added as values.
    ///
    /// # Errors
    /// [`Error::SettingNotWritable`] naming a setting that a file cannot
    /// hold: certificates, keys, CA certificates, revocation lists, OCSP
    /// responses or ticket keys given as values rather than read from files
    /// (a settings file names files and never holds a key), a passphrase
    /// given as a value, expected SSL errors, an ALPN name that is no
    /// UTF-8, a lifetime that is not whole seconds.
    ///
    /// As TOML text, with [`SettingsFile::to_toml`]:
    ///
    /// ```
    /// use sslconf::{Side, SslConfiguration, SslProtocol};
    ///
    /// let config = SslConfiguration::new()
    ///     .with_protocol(SslProtocol::TlsV1_3)
    ///     .with_allowed_next_protocols(["h2"]);
    /// let text = config.to_settings_file()?.to_toml()?;
    /// assert_eq!(text, "protocol = \"TlsV1_3\"\nallowed-next-protocols = [\"h2\"]\n");
    /// assert_eq!(SslConfiguration::from_toml_str(&text, ".", Side::Client)?, config);
    /// # Ok::<(), sslconf::Error>(())
    /// ```
    pub fn to_settings_file(&self) -> Result<SettingsFile, Error> {
        write::settings_file(self.settings())
    }
}

/// `base` made absolute (an empty one is the working directory), so that
/// a reload after the process changed its working directory reads the same
/// files. Kept as given only when the working directory cannot be read.
fn absolute_base(base: &Path) -> PathBuf {
    let base = if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base
    };
    std::path::absolute(base).unwrap_or_else(|_| base.to_owned())
}
