#!/usr/bin/env python3
"""Refreshes the counts and times of TESTING.md's suite table (between
<!-- suites:start --> and <!-- suites:end -->) from the output of the
README's test command (`cargo test --workspace --all-features`):

    cargo test --workspace --all-features 2>&1 | tee test.log
    scripts/testing-table.py test.log

Rows are matched by their first cell (`tests/x.rs`, `src/` for the unit
tests, `doc tests`, ...). A suite the log ran that has no row is printed,
to be written by hand (what it checks, what judges it)."""
import re, sys

log = open(sys.argv[1]).read().splitlines()
runs, current = {}, None
for line in log:
    m = re.search(r"Running (\S+ )?(\S+) \(target/\S+/deps/([a-z_0-9]+)-", line)
    if m:
        kind, source, binary = m.groups()
        if not kind:
            current = source  # tests/x.rs, of the crate or a workspace member
        elif binary == "sslconf":
            current = "src/"
        elif binary == "sslconf_properties":
            current = "tests/properties"
        else:
            current = None  # the ecosystem programs' own (empty) unit tests
        continue
    if re.search(r"Doc-tests sslconf$", line):
        current = "doc tests"
        continue
    m = re.match(r"test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored; .* finished in ([\d.]+)s", line)
    if m and current:
        runs[current] = m.groups()
        current = None

path = "TESTING.md"
text = open(path).read()
start, end = text.index("<!-- suites:start -->"), text.index("<!-- suites:end -->")
rows = text[start:end].splitlines()
seen = set()
for i, row in enumerate(rows):
    cells = row.split(" | ")
    if len(cells) < 6 or not row.startswith("| "):
        continue
    m = re.match(r"\| `([^`]+)`", row)
    name = m.group(1) if m else cells[0][2:]
    # The ecosystem's tests are named by their member's path in the log.
    key = name.replace("examples/ecosystem/", "")
    if key not in runs:
        continue
    passed, failed, ignored, secs = runs[key]
    seen.add(key)
    cells[3] = f"{passed} / {failed} / {ignored}"
    cells[4] = f"{float(secs):.2f} s"
    rows[i] = " | ".join(cells)
open(path, "w").write(text[:start] + "\n".join(rows) + "\n" + text[end:])
for key in runs:
    if key not in seen:
        print(f"no row for {key}: {runs[key]}")
