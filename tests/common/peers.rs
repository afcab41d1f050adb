//! Starting and driving outside TLS peers (openssl s_server/s_client, gnutls-serv/gnutls-cli, python3 ssl, curl) on 127.0.0.1.
