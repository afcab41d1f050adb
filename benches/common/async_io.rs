//! The tokio side: connections over an in-memory `tokio::io::duplex` pipe,
//! through `sslconf::tokio` or tokio-rustls.

use std::sync::Arc;

use rustls::pki_types::ServerName;
use tokio::io::{duplex, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio::runtime::Runtime;
use tokio_rustls::{TlsAcceptor, TlsConnector};

use super::{Pair, HOST};

const PIPE_BUFFER: usize = 256 * 1024;

#[allow(clippy::large_enum_variant)] // one per connection, never moved in a loop
pub enum Streams {
    Rustls(
        tokio_rustls::client::TlsStream<DuplexStream>,
        tokio_rustls::server::TlsStream<DuplexStream>,
    ),
    Sslconf(
        sslconf::tokio::TlsStream<DuplexStream>,
        sslconf::tokio::TlsStream<DuplexStream>,
    ),
}

/// One connection: handshake, then a byte from server to client.
pub async fn connect(pair: &Pair) -> Streams {
    let (a, b) = duplex(PIPE_BUFFER);
    let mut streams = match pair {
        Pair::Rustls { client, server } => {
            let connector = TlsConnector::from(Arc::clone(client));
            let acceptor = TlsAcceptor::from(Arc::clone(server));
            let name = ServerName::try_from(HOST.to_owned()).unwrap();
            let (c, s) = tokio::join!(connector.connect(name, a), acceptor.accept(b));
            Streams::Rustls(c.unwrap(), s.unwrap())
        }
        Pair::Sslconf { client, server } => {
            let (c, s) = tokio::join!(client.connect_async(HOST, a), server.accept_async(b));
            Streams::Sslconf(c.unwrap(), s.unwrap())
        }
    };
    let mut byte = [0_u8; 1];
    match &mut streams {
        Streams::Rustls(c, s) => move_bytes(s, c, &[1], &mut byte).await,
        Streams::Sslconf(c, s) => move_bytes(s, c, &[1], &mut byte).await,
    }
    streams
}

async fn move_bytes<W, R>(writer: &mut W, reader: &mut R, data: &[u8], sink: &mut [u8])
where
    W: AsyncWrite + Unpin,
    R: AsyncRead + Unpin,
{
    let send = async {
        writer.write_all(data).await.unwrap();
        writer.flush().await.unwrap();
    };
    let receive = async {
        let mut got = 0;
        while got < data.len() {
            let n = reader.read(sink).await.unwrap();
            assert!(n > 0, "unexpected end of stream");
            got += n;
        }
    };
    tokio::join!(send, receive);
}

/// Writes `data` on the client and reads it all on the server.
pub async fn transfer(streams: &mut Streams, data: &[u8], sink: &mut [u8]) {
    match streams {
        Streams::Rustls(c, s) => move_bytes(c, s, data, sink).await,
        Streams::Sslconf(c, s) => move_bytes(c, s, data, sink).await,
    }
}

/// Whether the client resumed a session.
pub fn resumed(streams: &Streams) -> bool {
    match streams {
        Streams::Rustls(c, _) => {
            c.get_ref().1.handshake_kind() == Some(rustls::HandshakeKind::Resumed)
        }
        Streams::Sslconf(c, _) => c.session_state().is_resumed(),
    }
}

/// A current-thread runtime: both ends of a connection on one thread.
pub fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}
