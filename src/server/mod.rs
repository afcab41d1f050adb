//! What a server needs beyond one configuration: session-ticket keys shared
//! by every server of a fleet.

mod tickets;

pub use tickets::TicketKeys;
pub(crate) use tickets::{
    SharedTicketer, DEFAULT_LIFETIME as DEFAULT_TICKET_LIFETIME,
    MAX_LIFETIME as MAX_TICKET_LIFETIME,
};
