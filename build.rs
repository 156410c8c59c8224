//! Embeds the rule pages of `rules/*.md` into the binary for `redis-halint rule`.

use std::fmt::Write;
use std::fs;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    let mut pages: Vec<(String, String)> = Vec::new();
    if let Ok(entries) = fs::read_dir("rules") {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "md") {
                let name = path.file_stem().unwrap().to_string_lossy().into_owned();
                let abs = fs::canonicalize(&path).unwrap();
                pages.push((name, abs.display().to_string()));
            }
        }
    }
    pages.sort();
    let mut out = String::from("pub static PAGES: &[(&str, &str)] = &[\n");
    for (name, path) in pages {
        writeln!(out, "    ({name:?}, include_str!({path:?})),").unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("rule_pages.rs");
    fs::write(dest, out).unwrap();
}
