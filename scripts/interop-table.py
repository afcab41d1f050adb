#!/usr/bin/env python3
"""Merge the per-peer tables that `cargo test --test interop_matrix` writes to
target/interop/ into one markdown table: rows are cases, columns are peers."""
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/interop")
columns = [  # (file, heading)
    ("openssl-server.md", "sslconf client → openssl s_server"),
    ("gnutls-server.md", "sslconf client → gnutls-serv"),
    ("python-server.md", "sslconf client → python ssl server"),
    ("openssl-client.md", "openssl s_client → sslconf server"),
    ("gnutls-client.md", "gnutls-cli → sslconf server"),
    ("python-client.md", "python ssl client → sslconf server"),
]
cells, cases = {}, []
for name, _ in columns:
    path = root / name
    if not path.exists():
        sys.exit(f"{path} is missing: run `cargo test --all-features --test interop_matrix` first")
    for line in path.read_text().splitlines()[2:]:
        case, result = [c.strip() for c in line.strip("|").split("|", 1)]
        if case not in cases:
            cases.append(case)
        cells[(case, name)] = result
print("| case | " + " | ".join(h for _, h in columns) + " |")
print("|---" * (len(columns) + 1) + "|")
for case in cases:
    print(f"| {case} | " + " | ".join(cells.get((case, n), "not run") for n, _ in columns) + " |")
