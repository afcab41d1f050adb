//! Server operations: identities chosen by the name a client asks for,
//! inputs read again from their files while serving, and session-ticket
//! keys shared by every server of a fleet.

mod reload;
mod resolver;
mod resumption;
mod session_state;
mod ticket_file;
mod tickets;
#[cfg(feature = "watch")]
mod watch;

pub use reload::Reloaded;
pub(crate) use resolver::{Identities, LiveResolver};
pub(crate) use resumption::{
    carrying, note_certificate_valid_until, Carried, PolicySessions, PolicyTag, PolicyTickets,
    Recheck, ResumptionPolicy,
};
pub use tickets::TicketKeys;
pub(crate) use tickets::{
    LiveTicketer, SharedTicketer, DEFAULT_LIFETIME as DEFAULT_TICKET_LIFETIME,
    MAX_LIFETIME as MAX_TICKET_LIFETIME,
};
#[cfg(feature = "watch")]
pub use watch::Watcher;
