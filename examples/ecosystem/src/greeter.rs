//! A one-method gRPC service, `sslconf.example.Greeter/SayHello`, for the
//! tonic examples: the messages are prost structs written by hand and the
//! server and client are what `tonic-build` generates, reduced to one unary
//! method, so that the examples need no `protoc` and no build script.
//! Used by `src/bin/tonic_server.rs` and `src/bin/tonic_client.rs`.
//!
//! The equivalent `.proto`:
//!
//! ```proto
//! syntax = "proto3";
//! package sslconf.example;
//! service Greeter { rpc SayHello (HelloRequest) returns (HelloReply); }
//! message HelloRequest { string name = 1; }
//! message HelloReply {
//!   string message = 1;
//!   string client_certificate = 2;
//!   string protocol = 3;
//!   string cipher = 4;
//! }
//! ```
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::http;
use hyper::body::Body;
use tonic::server::NamedService;
use tonic::{Request, Response, Status};

/// The service's name on the wire.
pub const SERVICE: &str = "sslconf.example.Greeter";
const SAY_HELLO: &str = "/sslconf.example.Greeter/SayHello";

/// `HelloRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct HelloRequest {
    /// Whom to greet.
    #[prost(string, tag = "1")]
    pub name: String,
}

/// `HelloReply`: the greeting and what the server saw of the connection.
#[derive(Clone, PartialEq, prost::Message)]
pub struct HelloReply {
    /// The greeting.
    #[prost(string, tag = "1")]
    pub message: String,
    /// The verified client certificate's subject, as the server read it.
    #[prost(string, tag = "2")]
    pub client_certificate: String,
    /// The TLS version the server negotiated.
    #[prost(string, tag = "3")]
    pub protocol: String,
    /// The cipher suite the server negotiated.
    #[prost(string, tag = "4")]
    pub cipher: String,
}

/// What a server implements.
pub trait Greeter: Send + Sync + 'static {
    /// `SayHello`.
    fn say_hello(
        &self,
        request: Request<HelloRequest>,
    ) -> impl Future<Output = Result<Response<HelloReply>, Status>> + Send;
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// The server side: a tower service routing `SayHello` to a [`Greeter`].
pub struct GreeterServer<T> {
    inner: Arc<T>,
}

impl<T> GreeterServer<T> {
    /// Serves `greeter`.
    pub fn new(greeter: T) -> Self {
        GreeterServer {
            inner: Arc::new(greeter),
        }
    }
}

impl<T> Clone for GreeterServer<T> {
    fn clone(&self) -> Self {
        GreeterServer {
            inner: self.inner.clone(),
        }
    }
}

impl<T> NamedService for GreeterServer<T> {
    const NAME: &'static str = SERVICE;
}

/// `SayHello` as tonic's unary service.
struct SayHello<T>(Arc<T>);

impl<T: Greeter> tonic::server::UnaryService<HelloRequest> for SayHello<T> {
    type Response = HelloReply;
    type Future = BoxFuture<Result<Response<HelloReply>, Status>>;

    fn call(&mut self, request: Request<HelloRequest>) -> Self::Future {
        let inner = self.0.clone();
        Box::pin(async move { inner.say_hello(request).await })
    }
}

impl<T, B> tower::Service<http::Request<B>> for GreeterServer<T>
where
    T: Greeter,
    B: Body + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        if request.uri().path() != SAY_HELLO {
            let status = Status::unimplemented(request.uri().path().to_owned());
            return Box::pin(async move { Ok(status.into_http()) });
        }
        let inner = self.inner.clone();
        Box::pin(async move {
            let mut grpc = tonic::server::Grpc::new(tonic_prost::ProstCodec::default());
            Ok(grpc.unary(SayHello(inner), request).await)
        })
    }
}

/// The client side, over any tonic channel.
pub struct GreeterClient {
    inner: tonic::client::Grpc<tonic::transport::Channel>,
}

impl GreeterClient {
    /// A client calling over `channel`.
    pub fn new(channel: tonic::transport::Channel) -> Self {
        GreeterClient {
            inner: tonic::client::Grpc::new(channel),
        }
    }

    /// Calls `SayHello`.
    ///
    /// # Errors
    /// The call's status: the server's, or `Unknown`/`Unavailable` for a
    /// transport failure, whose `source()` is the transport error.
    pub async fn say_hello(
        &mut self,
        request: impl tonic::IntoRequest<HelloRequest>,
    ) -> Result<Response<HelloReply>, Status> {
        self.inner
            .ready()
            .await
            .map_err(|e| Status::from_error(Box::new(e)))?;
        let mut request = request.into_request();
        request
            .extensions_mut()
            .insert(tonic::GrpcMethod::new(SERVICE, "SayHello"));
        let path = http::uri::PathAndQuery::from_static(SAY_HELLO);
        self.inner
            .unary(request, path, tonic_prost::ProstCodec::default())
            .await
    }
}
