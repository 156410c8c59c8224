//! Source excerpts with labels, rendered by miette. Labels in other files are shown as
//! related reports with their own excerpt.

use super::{MaskedSources, RenderOptions};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{FileId, Span};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use std::fmt;

struct Report {
    message: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    source: NamedSource<std::sync::Arc<str>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}

fn source_span(span: Span) -> SourceSpan {
    SourceSpan::new((span.start as usize).into(), span.len())
}

fn named(sources: &MaskedSources, file: FileId) -> NamedSource<std::sync::Arc<str>> {
    NamedSource::new(sources.display_path(file), sources.masked_text(file))
}

fn report(sources: &MaskedSources, d: &Diagnostic) -> Report {
    let fatal = if d.fatal { "fatal: " } else { "" };
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        Some(short_label(d)),
        source_span(d.span),
    )];
    let mut related = Vec::new();
    for label in &d.related {
        if label.span.file == d.span.file {
            labels.push(LabeledSpan::new_with_span(
                Some(label.message.clone()),
                source_span(label.span),
            ));
        } else {
            related.push(Report {
                message: label.message.clone(),
                code: String::new(),
                severity: miette::Severity::Advice,
                help: None,
                source: named(sources, label.span.file),
                labels: vec![LabeledSpan::new_primary_with_span(
                    Some(label.message.clone()),
                    source_span(label.span),
                )],
                related: Vec::new(),
            });
        }
    }
    Report {
        message: format!("{fatal}{}", d.message),
        code: format!("{} {}", d.rule.code(), d.rule.name()),
        severity: match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        },
        help: d.help.clone(),
        source: named(sources, d.span.file),
        labels,
        related,
    }
}

fn short_label(d: &Diagnostic) -> String {
    if d.fatal {
        "refused at start-up".to_string()
    } else {
        "here".to_string()
    }
}

pub fn render(
    sources: &MaskedSources,
    diagnostics: &[Diagnostic],
    options: RenderOptions,
) -> String {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        .with_links(false);
    let mut out = String::new();
    for d in diagnostics {
        let r = report(sources, d);
        if handler.render_report(&mut out, &r).is_err() {
            out.push_str(&r.message);
            out.push('\n');
        }
        out.push('\n');
    }
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    let fatal = diagnostics.iter().filter(|d| d.fatal).count();
    if diagnostics.is_empty() {
        out.push_str("No findings.\n");
    } else {
        out.push_str(&format!(
            "Found {} error(s), {} warning(s), {} info; {} would stop a process from starting.\n",
            count(Severity::Error),
            count(Severity::Warning),
            count(Severity::Info),
            fatal
        ));
    }
    out
}
