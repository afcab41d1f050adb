//! A client at run time: the certificate it presents and the sessions it
//! keeps, both following what the configuration's files hold (see `live`).

mod identity;
mod session_chain;
mod sessions;

pub(crate) use identity::{presenting, LiveClientIdentity};
pub(crate) use sessions::{Gate, LiveClientSessions};
