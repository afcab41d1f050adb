//! A tonic gRPC server over `sslconf`: mutual TLS, and the client's verified
//! certificate (with the whole `SessionState`) reaching the service method.
//!
//! ```sh
//! cargo run -p sslconf-ecosystem --bin tonic_server -- --cert server.pem --key server.key \
//!     --ca clients-ca.pem
//! cargo run -p sslconf-ecosystem --bin tonic_client -- --ca ca.pem \
//!     --cert client.pem --key client.key https://localhost:50051
//! ```
//!
//! tonic's own TLS (`ServerTlsConfig`) builds its rustls config from PEM
//! files and takes no `ServerConfig`. Here tonic serves plain streams
//! instead (`serve_with_incoming_shutdown`): each accepted socket's
//! handshake runs in its own task under a deadline with `accept_async`, and
//! the finished `TlsStream` is handed to tonic. Its `Connected`
//! implementation puts the connection's `SessionState` into every request's
//! extensions, where the method reads it.
//!
//! Shutdown stops the accept loop (and the handshakes in progress) first,
//! lets tonic finish its connections' calls (GOAWAY), and closes the
//! connections still open after `--shutdown-grace-ms`. HTTP/2 keep-alive
//! pings close a connection whose peer stopped answering.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use clap::Parser;
use greeter::{Greeter, GreeterServer, HelloReply, HelloRequest};
use sslconf::{Identity, PeerVerifyMode, SessionState, SslConfiguration};
use sslconf_ecosystem::{greeter, support};
use support::BoxError;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;
use tonic::transport::server::Connected;
use tonic::{Request, Response, Status};

/// Serves the Greeter gRPC service over mutual TLS.
#[derive(Parser)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: String,
    /// Port to listen on (0 picks a free one; the address is printed).
    #[arg(long, default_value_t = 50051)]
    port: u16,
    /// The server's certificate chain, leaf first (PEM or DER file).
    #[arg(long)]
    cert: String,
    /// The server certificate's private key (PEM or DER file).
    #[arg(long)]
    key: String,
    /// CA certificates that client certificates are checked against (PEM file).
    #[arg(long)]
    ca: String,
    /// verify (a client certificate is required) or auto (one that is sent is verified).
    #[arg(long, default_value = "verify")]
    verify_mode: PeerVerifyMode,
    /// The deadline of a whole handshake, from accept to its end.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    handshake_timeout_ms: u64,
    /// At shutdown, how long connections may take to finish their calls before they are closed.
    #[arg(long, default_value_t = 30_000)]
    shutdown_grace_ms: u64,
    /// Shut down gracefully after this many milliseconds (as on ctrl-c; for tests).
    #[arg(long)]
    shutdown_after_ms: Option<u64>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(BoxError::from)
        .and_then(|rt| rt.block_on(run(&args)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            support::report("error", &*err);
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<(), BoxError> {
    let config = configuration(args)?;
    let listener = TcpListener::bind((args.bind.as_str(), args.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", args.bind, args.port))?;
    println!("listening on {}", listener.local_addr()?);
    std::io::stdout().flush()?;

    let (tx, rx) = mpsc::channel(64);
    let (stop_tx, stop_rx) = watch::channel(false);
    let open = Arc::new(AtomicUsize::new(0));
    let handshake_timeout = Duration::from_millis(args.handshake_timeout_ms);
    let accepting = tokio::spawn(accept_loop(
        config,
        listener,
        handshake_timeout,
        tx,
        stop_rx.clone(),
        open.clone(),
    ));
    let after = args.shutdown_after_ms.map(Duration::from_millis);
    let signal = async move {
        let timer = async {
            match after {
                Some(after) => tokio::time::sleep(after).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = timer => {}
        }
    };
    let mut stop = stop_rx;
    let shutdown = async move {
        let _ = stop.wait_for(|stopping| *stopping).await;
    };
    let incoming = tokio_stream::wrappers::ReceiverStream::new(rx);
    let serve = tonic::transport::Server::builder()
        .http2_keepalive_interval(Some(Duration::from_secs(60)))
        .http2_keepalive_timeout(Some(Duration::from_secs(20)))
        .add_service(GreeterServer::new(Hello))
        .serve_with_incoming_shutdown(incoming, shutdown);
    tokio::pin!(serve);
    let grace = Duration::from_millis(args.shutdown_grace_ms);
    let served = tokio::select! {
        served = &mut serve => served,
        () = signal => {
            eprintln!("shutting down: {} connections to finish", open.load(Ordering::Relaxed));
            // The accept loop and tonic's drain both see it.
            let _ = stop_tx.send(true);
            match tokio::time::timeout(grace, &mut serve).await {
                Ok(served) => served,
                Err(_) => {
                    eprintln!(
                        "shutting down: {} connections still open after the {} ms grace period, \
                         closing them",
                        open.load(Ordering::Relaxed),
                        grace.as_millis()
                    );
                    // Leaving `run` ends the runtime, which drops tonic's
                    // connection tasks and so closes their sockets.
                    Ok(())
                }
            }
        }
    };
    accepting.abort();
    served?;
    eprintln!("done");
    Ok(())
}

/// Accepts sockets, completes each handshake in its own task under
/// `timeout`, and hands the finished streams to tonic; until shutdown,
/// when it stops accepting (the listener is closed) and drops the
/// handshakes in progress.
async fn accept_loop(
    config: SslConfiguration,
    listener: TcpListener,
    timeout: Duration,
    tx: mpsc::Sender<Result<TlsConnection, io::Error>>,
    mut stop: watch::Receiver<bool>,
    open: Arc<AtomicUsize>,
) {
    // Dropped on return, which aborts every handshake still running.
    let mut handshakes = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            _ = stop.wait_for(|stopping| *stopping) => return,
            accepted = listener.accept() => accepted,
        };
        while handshakes.try_join_next().is_some() {}
        let (socket, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(err) => {
                eprintln!("accept failed: {err}");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let (config, tx, open) = (config.clone(), tx.clone(), open.clone());
        handshakes.spawn(async move {
            match tokio::time::timeout(timeout, config.accept_async(socket)).await {
                Ok(Ok(tls)) => {
                    let connection = TlsConnection {
                        tls,
                        peer,
                        _open: OpenConnection::new(open),
                    };
                    // Closed: tonic is shutting down, and the stream is dropped.
                    let _ = tx.send(Ok(connection)).await;
                }
                Ok(Err(err)) => support::report(&format!("{peer}: handshake failed"), &err),
                Err(_) => eprintln!(
                    "{peer}: handshake failed: not done in {} ms",
                    timeout.as_millis()
                ),
            }
        });
    }
}

/// A connection after its handshake, as tonic serves it.
struct TlsConnection {
    tls: sslconf::tokio::TlsStream<TcpStream>,
    peer: SocketAddr,
    _open: OpenConnection,
}

/// Counts a connection as open from its handshake until it is dropped.
struct OpenConnection(Arc<AtomicUsize>);

impl OpenConnection {
    fn new(open: Arc<AtomicUsize>) -> Self {
        open.fetch_add(1, Ordering::Relaxed);
        OpenConnection(open)
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// What each request of a connection carries in its extensions.
#[derive(Clone, Debug)]
struct ConnectionInfo {
    peer: SocketAddr,
    state: SessionState,
}

impl Connected for TlsConnection {
    type ConnectInfo = ConnectionInfo;

    fn connect_info(&self) -> ConnectionInfo {
        ConnectionInfo {
            peer: self.peer,
            state: self.tls.session_state().clone(),
        }
    }
}

impl AsyncRead for TlsConnection {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tls).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsConnection {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().tls).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tls).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tls).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().tls).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tls.is_write_vectored()
    }
}

/// The service: greets the client by its certificate's name.
struct Hello;

impl Greeter for Hello {
    async fn say_hello(
        &self,
        request: Request<HelloRequest>,
    ) -> Result<Response<HelloReply>, Status> {
        let info = request
            .extensions()
            .get::<ConnectionInfo>()
            .cloned()
            .ok_or_else(|| Status::internal("served without the TLS connection's state"))?;
        let state = &info.state;
        let client = state
            .peer_certificate()
            .ok_or_else(|| Status::unauthenticated("no client certificate"))?;
        // The handshake verified it (--verify-mode verify or auto); a query
        // mode would let an unverified one through, listed here.
        if !state.peer_verification_errors().is_empty() {
            return Err(Status::permission_denied(
                "the client certificate is not verified",
            ));
        }
        let name = &request.get_ref().name;
        eprintln!(
            "{}: SayHello({name:?}) from {}",
            info.peer,
            client.subject_name()
        );
        Ok(Response::new(HelloReply {
            message: format!(
                "hello {name}, your certificate says {}",
                client.subject_display_name()
            ),
            client_certificate: client.subject_name().to_owned(),
            protocol: state.session_protocol().to_string(),
            cipher: state
                .session_cipher()
                .map_or_else(|| "-".to_owned(), |c| c.to_string()),
        }))
    }
}

fn configuration(args: &Args) -> Result<SslConfiguration, BoxError> {
    let identity = Identity::from_files(&args.cert, &args.key)
        .map_err(|e| format!("--cert {} --key {}: {e}", args.cert, args.key))?;
    let config = SslConfiguration::new()
        .with_local_identity(identity)
        .with_ca_certificate_files([&args.ca])?
        .with_peer_verify_mode(args.verify_mode)
        // gRPC is HTTP/2: a client that offers no "h2" is refused in the handshake.
        .with_allowed_next_protocols(["h2"]);
    config.server_config()?;
    Ok(config)
}
