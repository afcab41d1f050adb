//! Server operations: identities chosen by the name a client asks for, and
//! inputs read again from their files while serving.

mod reload;
mod resolver;

pub use reload::Reloaded;
#[cfg(feature = "watch")]
pub use reload::Watcher;
pub(crate) use reload::{ClientHandles, LiveClientIdentity, ServerHandles};
pub(crate) use resolver::{Identities, LiveResolver};
