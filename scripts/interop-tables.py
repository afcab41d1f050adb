#!/usr/bin/env python3
"""Merge the interop matrix results into TESTING.md's tables.

`cargo test --test interop` writes one column per peer and direction to
target/interop/<peer>-sslconf-<client|server>.md. This script joins them into
two tables (rows: cases; columns: peers), one per direction, and prints them,
or with --update FILE replaces the text between the interop-tables markers
in FILE (TESTING.md).

    cargo test --test interop && scripts/interop-tables.py --update TESTING.md
"""

import argparse
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
START = "<!-- interop-tables:start -->"
END = "<!-- interop-tables:end -->"

DIRECTIONS = [
    (
        "sslconf as the client",
        ["openssl-sslconf-client", "gnutls-sslconf-client", "python-sslconf-client"],
    ),
    (
        "sslconf as the server",
        [
            "openssl-sslconf-server",
            "gnutls-sslconf-server",
            "curl-sslconf-server",
            "python-sslconf-server",
        ],
    ),
]


def read_column(path):
    """(peer title, {case: cell}, [cases in order], summary line)."""
    rows, order, title, summary = {}, [], None, ""
    for line in path.read_text().splitlines():
        if line.startswith("| case |"):
            title = line.split("|")[2].strip().split(" vs ", 1)[1]
        elif line.startswith("|---"):
            continue
        elif line.startswith("| "):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows[cells[0]] = cells[1]
            order.append(cells[0])
        elif line.strip():
            summary = line.strip()
    return title, rows, order, summary


def tables(target):
    out = []
    for heading, stems in DIRECTIONS:
        columns = []
        for stem in stems:
            path = target / "interop" / f"{stem}.md"
            if not path.exists():
                sys.exit(f"{path} is missing: run `cargo test --test interop` first")
            columns.append(read_column(path))
        order = columns[0][2]
        out.append(f"### {heading}\n")
        out.append("| case | " + " | ".join(c[0] for c in columns) + " |")
        out.append("|---" * (len(columns) + 1) + "|")
        for case in order:
            cells = [c[1].get(case, "not run") for c in columns]
            out.append(f"| {case} | " + " | ".join(cells) + " |")
        out.append("")
        for c in columns:
            out.append(f"- {re.sub(r', in [0-9.]+[a-zµ]+$', '', c[3])}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default=str(ROOT / "target"), help="cargo's target directory")
    parser.add_argument("--update", metavar="FILE", help="replace the tables between the markers in FILE")
    args = parser.parse_args()
    text = tables(pathlib.Path(args.target))
    if not args.update:
        sys.stdout.write(text)
        return
    path = pathlib.Path(args.update)
    doc = path.read_text()
    if START not in doc or END not in doc:
        sys.exit(f"{path} has no {START} ... {END} markers")
    head, rest = doc.split(START, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{START}\n{text}{END}{tail}")


if __name__ == "__main__":
    main()
