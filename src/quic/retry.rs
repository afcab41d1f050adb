//! The integrity tag of QUIC Retry packets (RFC 9001 §5.8): AES-128-GCM
//! under a key and nonce the RFC fixes per version, over the client's
//! original destination connection ID and the packet.

use quinn_proto::ConnectionId;
use rustls::quic::Version;

use crate::provider::primitives::aead;

const KEY_DRAFT: [u8; 16] = [
    0xcc, 0xce, 0x18, 0x7e, 0xd0, 0x9a, 0x09, 0xd0, 0x57, 0x28, 0x15, 0x5a, 0x6c, 0xb9, 0x6b, 0xe1,
];
const NONCE_DRAFT: [u8; 12] = [
    0xe5, 0x49, 0x30, 0xf9, 0x7f, 0x21, 0x36, 0xf0, 0x53, 0x0a, 0x8c, 0x1c,
];
const KEY_V1: [u8; 16] = [
    0xbe, 0x0c, 0x69, 0x0b, 0x9f, 0x66, 0x57, 0x5a, 0x1d, 0x76, 0x6b, 0x54, 0xe3, 0x68, 0xc8, 0x4e,
];
const NONCE_V1: [u8; 12] = [
    0x46, 0x15, 0x99, 0xd3, 0x5d, 0x63, 0x2b, 0xf2, 0x23, 0x98, 0x25, 0xbb,
];

/// The key and nonce of `version` (quinn speaks v1 and its drafts only).
fn key_and_nonce(version: Version) -> Option<(aead::LessSafeKey, aead::Nonce)> {
    let (key, nonce) = match version {
        Version::V1Draft => (KEY_DRAFT, NONCE_DRAFT),
        Version::V1 => (KEY_V1, NONCE_V1),
        _ => return None,
    };
    let key = aead::UnboundKey::new(&aead::AES_128_GCM, &key).ok()?;
    Some((
        aead::LessSafeKey::new(key),
        aead::Nonce::assume_unique_for_key(nonce),
    ))
}

/// The Retry pseudo-packet: the original destination connection ID,
/// length first, then `parts` in order.
fn pseudo_packet(orig_dst_cid: &ConnectionId, parts: &[&[u8]]) -> Vec<u8> {
    let len = 1 + orig_dst_cid.len() + parts.iter().map(|p| p.len()).sum::<usize>();
    let mut packet = Vec::with_capacity(len);
    // A connection ID is at most 20 bytes long (RFC 9000 §17.2).
    packet.push(orig_dst_cid.len() as u8);
    packet.extend_from_slice(orig_dst_cid);
    for part in parts {
        packet.extend_from_slice(part);
    }
    packet
}

/// The tag a server appends to the Retry `packet` it sends.
pub(crate) fn tag(version: Version, orig_dst_cid: &ConnectionId, packet: &[u8]) -> [u8; 16] {
    let mut tag = [0; 16];
    if let Some((key, nonce)) = key_and_nonce(version) {
        let aad = pseudo_packet(orig_dst_cid, &[packet]);
        if let Ok(sealed) = key.seal_in_place_separate_tag(nonce, aead::Aad::from(aad), &mut []) {
            tag.copy_from_slice(sealed.as_ref());
        }
    }
    tag
}

/// Whether a Retry packet (`header`, then `payload` ending in its tag) a
/// client received carries the tag its server would have computed.
pub(crate) fn is_valid(
    version: Version,
    orig_dst_cid: &ConnectionId,
    header: &[u8],
    payload: &[u8],
) -> bool {
    if payload.len() < 16 {
        return false;
    }
    let Some((key, nonce)) = key_and_nonce(version) else {
        return false;
    };
    let mut packet = pseudo_packet(orig_dst_cid, &[header, payload]);
    let aad_len = packet.len() - 16;
    let (aad, tag) = packet.split_at_mut(aad_len);
    key.open_in_place(nonce, aead::Aad::from(aad), tag).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 9001 Appendix A.4: the Retry packet of the sample exchange,
    /// whose last 16 bytes are its tag, for the original destination
    /// connection ID 0x8394c8f03e515708.
    #[test]
    fn the_rfc_9001_sample_retry_tag() {
        let cid = ConnectionId::new(&[0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08]);
        let packet: &[u8] = &[
            0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x08, 0xf0, 0x67, 0xa5, 0x50, 0x2a, 0x42, 0x62,
            0xb5, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x04, 0xa2, 0x65, 0xba, 0x2e, 0xff, 0x4d, 0x82,
            0x90, 0x58, 0xfb, 0x3f, 0x0f, 0x24, 0x96, 0xba,
        ];
        let (body, expected) = packet.split_at(packet.len() - 16);
        assert_eq!(tag(Version::V1, &cid, body), expected);
        let (header, payload) = packet.split_at(1);
        assert!(is_valid(Version::V1, &cid, header, payload));
        let mut forged = payload.to_vec();
        forged[3] ^= 1;
        assert!(!is_valid(Version::V1, &cid, header, &forged));
        assert!(!is_valid(Version::V1, &cid, header, &payload[..10]));
    }
}
