//! Baselines: record today's findings, then report only new ones.
//!
//! A finding is recorded by a fingerprint of its rule, its file, the text of the line it
//! starts on (blanks collapsed, secrets masked) and its occurrence index among findings
//! with that same rule, file and line text. Line numbers are not part of it, so adding or
//! removing lines elsewhere in the file does not make old findings "new".

use crate::diagnostic::Diagnostic;
use crate::report::common::{fingerprints, position};
use crate::report::MaskedSources;
use crate::Workspace;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
pub struct BaselineFile {
    pub version: u32,
    pub tool: String,
    pub findings: Vec<BaselineEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub rule: String,
    pub file: String,
    /// Where the finding was when the baseline was written (for people; not matched).
    pub line: u32,
    pub message: String,
}

/// The baseline file for these findings (JSON).
pub fn write(workspace: &Workspace, diagnostics: &[Diagnostic]) -> String {
    let sources = MaskedSources::new(workspace);
    let fps = fingerprints(&sources, diagnostics);
    let findings = diagnostics
        .iter()
        .zip(fps)
        .map(|(d, fingerprint)| BaselineEntry {
            fingerprint,
            rule: d.rule.name().to_string(),
            file: sources.display_path(d.span.file),
            line: position(&sources, d.span).line,
            message: d.message.clone(),
        })
        .collect();
    let file = BaselineFile {
        version: VERSION,
        tool: "redis-halint".to_string(),
        findings,
    };
    let mut text = serde_json::to_string_pretty(&file).expect("serializable");
    text.push('\n');
    text
}

pub fn read(text: &str) -> Result<BaselineFile, String> {
    let file: BaselineFile =
        serde_json::from_str(text).map_err(|e| format!("not a redis-halint baseline: {e}"))?;
    if file.version != VERSION {
        return Err(format!(
            "baseline version {} is not supported (expected {VERSION})",
            file.version
        ));
    }
    Ok(file)
}

/// The findings that are not in the baseline. Each baseline entry absorbs one finding.
pub fn filter(
    workspace: &Workspace,
    diagnostics: Vec<Diagnostic>,
    baseline: &BaselineFile,
) -> Vec<Diagnostic> {
    let sources = MaskedSources::new(workspace);
    let fps = fingerprints(&sources, &diagnostics);
    let mut known: HashMap<&str, usize> = HashMap::new();
    for entry in &baseline.findings {
        *known.entry(entry.fingerprint.as_str()).or_insert(0) += 1;
    }
    diagnostics
        .into_iter()
        .zip(fps)
        .filter(|(_, fp)| match known.get_mut(fp.as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .map(|(d, _)| d)
        .collect()
}
