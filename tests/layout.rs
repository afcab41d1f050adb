//! The crate's layout rule, read from its `use` lines: no module imports one
//! that imports it back. A wing (`verify/`, `convert/`, `x509/`) counts as
//! one module; names imported from the crate root are traced to the module
//! that defines them. `error` alone may name the value types its variants
//! hold (`SslError`, `SslProtocol`, ...): data it prints, never code it calls
//! into, and those types' constructors return `Error`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

/// The top-level module a source file belongs to.
fn module_of(path: &Path) -> String {
    let relative = path.strip_prefix(SRC).unwrap();
    let first = relative.components().next().unwrap().as_os_str();
    first.to_string_lossy().trim_end_matches(".rs").to_owned()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file: without comments (doc links are no imports) and
/// without its test module (tests may reach anywhere).
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => &text,
    };
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Which module defines each name `lib.rs` re-exports: `pub use x509::{A, B};`.
fn root_names(lib: &str) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for statement in lib.split(';') {
        let Some(rest) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, list)) = rest.split_once("::") else {
            continue;
        };
        for name in list.trim_matches(|c| c == '{' || c == '}').split(',') {
            let name = name.trim();
            if !name.is_empty() {
                names.insert(name.to_owned(), module.to_owned());
            }
        }
    }
    names
}

/// The modules a file's code names through `crate::`.
fn imports(
    code: &str,
    modules: &BTreeSet<String>,
    roots: &BTreeMap<String, String>,
) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(list) = rest.strip_prefix('{') {
            // `use crate::{a, b::C, D};`
            let end = list.find("};").unwrap_or(list.len());
            for item in list[..end].split(',') {
                let head = item.trim().split("::").next().unwrap_or("").trim();
                add(head, modules, roots, &mut found);
            }
        } else {
            let head: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            add(&head, modules, roots, &mut found);
        }
    }
    found
}

fn add(
    head: &str,
    modules: &BTreeSet<String>,
    roots: &BTreeMap<String, String>,
    found: &mut BTreeSet<String>,
) {
    if modules.contains(head) {
        found.insert(head.to_owned());
    } else if let Some(module) = roots.get(head) {
        found.insert(module.clone());
    }
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let mut files = Vec::new();
    rust_files(Path::new(SRC), &mut files);
    let modules: BTreeSet<String> = files
        .iter()
        .map(|f| module_of(f))
        .filter(|m| m != "lib")
        .collect();
    let roots = root_names(&code(&Path::new(SRC).join("lib.rs")));
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let from = module_of(file);
        if from == "lib" || from == "error" {
            continue;
        }
        for to in imports(&code(file), &modules, &roots) {
            if to != from {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    // Sanity: the reader sees the imports it should.
    assert!(edges["convert"].contains("verify"), "{edges:?}");
    assert!(edges["configuration"].contains("convert"), "{edges:?}");
    assert!(edges["verify"].contains("x509"), "{edges:?}");

    // Every module reachable from `start`, and whether `start` is among them.
    let reaches = |start: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![start.to_owned()];
        while let Some(m) = stack.pop() {
            for next in edges.get(&m).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let cycles: Vec<String> = modules
        .iter()
        .filter(|m| reaches(m).contains(*m))
        .cloned()
        .collect();
    assert!(
        cycles.is_empty(),
        "modules on an import cycle: {cycles:?}\nedges: {edges:#?}"
    );
    // And the settings are a leaf among the engines that read them.
    for engine in ["configuration", "convert", "verify", "session", "stream"] {
        assert!(
            !reaches("settings").contains(engine),
            "settings reaches {engine}"
        );
    }
}
