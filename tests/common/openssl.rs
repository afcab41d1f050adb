//! Running the `openssl` command-line tool from tests.
