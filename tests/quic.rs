//! QUIC tests (being written).
