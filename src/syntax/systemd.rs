//! The systemd unit-file grammar, as systemd's `config_parse` reads it, with spans.
//!
//! Lines whose first non-blank character is `#` or `;` are comments, also in the middle of a
//! continuation. A line ending in an unescaped `\` continues on the next line (the backslash
//! becomes a space). `[Name]` opens a section; other lines are `Key=value`, both sides
//! trimmed. Repeated keys are kept in order: what they mean (append, override, reset on an
//! empty value) is the reader's business. Every range is a byte range of the text this
//! was parsed from, shifted by `base` so a unit embedded in a script keeps the script's offsets.

use super::systemd_keys::{is_known_key, is_known_section};
use compact_str::CompactString;
use std::ops::Range;

#[derive(Debug, Clone, Default)]
pub struct UnitTree {
    pub sections: Vec<Section>,
    pub errors: Vec<UnitError>,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub name: CompactString,
    /// The `[Name]` header.
    pub header: Range<usize>,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
pub struct Entry {
    /// Keys and most values are short: held inline, without an allocation each.
    pub key: CompactString,
    pub key_range: Range<usize>,
    /// The value with continuations joined, trimmed.
    pub value: CompactString,
    /// Byte offset in the text of every byte of `value`, plus one past its end.
    offsets: Offsets,
    /// From the key to the end of the value (continuations included).
    pub range: Range<usize>,
    /// 0-based line of the key.
    pub line: usize,
}

impl Entry {
    /// Text range of `value[range]`.
    pub fn value_span(&self, range: Range<usize>) -> Range<usize> {
        if range.start >= range.end {
            let at = self.offsets.at(range.start.min(self.value.len()));
            return at..at;
        }
        self.offsets.at(range.start)..self.offsets.at(range.end - 1) + 1
    }

    /// Text range of the whole value (the key's end when the value is empty).
    pub fn value_range(&self) -> Range<usize> {
        if self.value.is_empty() {
            self.key_range.end..self.key_range.end
        } else {
            self.value_span(0..self.value.len())
        }
    }
}

/// A map from the bytes of a value to text offsets, stored as runs of consecutive
/// offsets: a value is one run per continuation line, not eight bytes per byte.
#[derive(Debug, Clone)]
struct Offsets {
    /// (index in the value, offset in the text) where each run starts. A value written
    /// on one line is one run, held without a heap allocation.
    runs: runs::Runs,
}

/// One run inline, more on the heap.
mod runs {
    #[derive(Debug, Clone, Default)]
    pub struct Runs {
        first: Option<(usize, usize)>,
        rest: Vec<(usize, usize)>,
    }

    impl Runs {
        #[cfg(test)]
        pub fn len(&self) -> usize {
            usize::from(self.first.is_some()) + self.rest.len()
        }

        pub fn last(&self) -> Option<&(usize, usize)> {
            self.rest.last().or(self.first.as_ref())
        }

        pub fn push(&mut self, run: (usize, usize)) {
            match self.first {
                None => self.first = Some(run),
                Some(_) => self.rest.push(run),
            }
        }

        pub fn get(&self, i: usize) -> (usize, usize) {
            match i {
                0 => self.first.expect("a run"),
                _ => self.rest[i - 1],
            }
        }

        pub fn iter(&self) -> impl Iterator<Item = &(usize, usize)> {
            self.first.iter().chain(&self.rest)
        }

        pub fn shrink_to_fit(&mut self) {
            self.rest.shrink_to_fit();
        }

        /// Number of runs whose start index is `<= index`.
        pub fn partition_point(&self, index: usize) -> usize {
            match self.first {
                None => 0,
                Some((i, _)) if i > index => 0,
                Some(_) => 1 + self.rest.partition_point(|&(i, _)| i <= index),
            }
        }
    }
}

impl Offsets {
    fn from_runs(runs: Vec<(usize, usize)>) -> Offsets {
        let mut out = Offsets {
            runs: runs::Runs::default(),
        };
        for run in runs {
            out.runs.push(run);
        }
        out
    }

    /// Bytes from `index` on come from `offset` on.
    fn push_run(&mut self, index: usize, offset: usize) {
        match self.runs.last() {
            Some(&(j, p)) if p + (index - j) == offset => {}
            _ => self.runs.push((index, offset)),
        }
    }

    /// With the offset one past the last byte (`len`) set to `end`.
    fn with_end(mut self, len: usize, end: usize) -> Offsets {
        self.push_run(len, end);
        self
    }

    fn at(&self, index: usize) -> usize {
        let run = self.runs.partition_point(index);
        let (i, o) = self.runs.get(run.saturating_sub(1));
        o + (index - i)
    }

    /// The map of `range` (re-indexed from 0), with `end` one past it.
    fn slice(&self, range: Range<usize>, end: usize) -> Offsets {
        let mut out = Offsets::from_runs(Vec::with_capacity(1));
        if range.start < range.end {
            out.push_run(0, self.at(range.start));
            for &(i, o) in self.runs.iter() {
                if i > range.start && i < range.end {
                    out.push_run(i - range.start, o);
                }
            }
        }
        out.push_run(range.len(), end);
        out.runs.shrink_to_fit();
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitErrorKind {
    /// `[Service` without `]`: systemd refuses to load the unit.
    InvalidSectionHeader,
    UnknownSection,
    AssignmentOutsideSection,
    MissingEquals,
    MissingKey,
    UnknownKey,
}

#[derive(Debug, Clone)]
pub struct UnitError {
    pub kind: UnitErrorKind,
    /// The section, for unknown keys.
    pub section: Option<String>,
    pub range: Range<usize>,
    /// 0-based line.
    pub line: usize,
    pub message: String,
}

impl UnitError {
    /// systemd stops loading the unit (the others are logged and ignored).
    pub fn is_fatal(&self) -> bool {
        self.kind == UnitErrorKind::InvalidSectionHeader
    }
}

/// Parse a unit or drop-in. `base` is added to every range.
pub fn parse(text: &str, base: usize) -> UnitTree {
    let mut tree = UnitTree::default();
    // Section name of the lines being read; `None` before any header or after an unknown one.
    let mut current: Option<usize> = None;
    let mut in_unknown_section = false;
    // A logical line being continued: (value bytes, offsets, first line number).
    let mut pending: Option<(Vec<u8>, Offsets, usize)> = None;
    let mut offset = 0;
    for (line_no, raw) in text.split('\n').enumerate() {
        let start = offset;
        offset += raw.len() + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let lead = raw.len() - raw.trim_start_matches([' ', '\t']).len();
        if raw[lead..].starts_with(['#', ';']) {
            continue;
        }
        // An odd number of trailing backslashes continues the line (what came before
        // in a continued line ends with the space that replaced its backslash).
        let trailing = raw.len() - raw.trim_end_matches('\\').len();
        let continued = trailing % 2 == 1;
        if pending.is_none() && !continued {
            // The common case: one physical line, its bytes where they are.
            let offsets = Offsets::from_runs(vec![(0, base + start)]);
            let end = base + start + raw.len();
            parse_line(
                &mut tree,
                &mut current,
                &mut in_unknown_section,
                raw.as_bytes(),
                &offsets.with_end(raw.len(), end),
                line_no,
            );
        } else {
            let (mut bytes, mut offsets, first_line) =
                pending
                    .take()
                    .unwrap_or((Vec::new(), Offsets::from_runs(Vec::new()), line_no));
            offsets.push_run(bytes.len(), base + start);
            bytes.extend_from_slice(raw.as_bytes());
            if continued {
                *bytes.last_mut().unwrap() = b' ';
                pending = Some((bytes, offsets, first_line));
                continue;
            }
            let end = base + start + raw.len();
            let offsets = offsets.with_end(bytes.len(), end);
            parse_line(
                &mut tree,
                &mut current,
                &mut in_unknown_section,
                &bytes,
                &offsets,
                first_line,
            );
        }
        // systemd stops reading a unit at a broken section header.
        if tree.errors.last().is_some_and(UnitError::is_fatal) {
            return tree;
        }
    }
    if let Some((bytes, offsets, first_line)) = pending {
        let end = if bytes.is_empty() {
            base
        } else {
            offsets.at(bytes.len() - 1) + 1
        };
        let offsets = offsets.with_end(bytes.len(), end);
        parse_line(
            &mut tree,
            &mut current,
            &mut in_unknown_section,
            &bytes,
            &offsets,
            first_line,
        );
    }
    for section in &mut tree.sections {
        section.entries.shrink_to_fit();
    }
    tree
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn trim(bytes: &[u8], range: Range<usize>) -> Range<usize> {
    let mut r = range;
    while r.start < r.end && is_blank(bytes[r.start]) {
        r.start += 1;
    }
    while r.end > r.start && is_blank(bytes[r.end - 1]) {
        r.end -= 1;
    }
    r
}

fn parse_line(
    tree: &mut UnitTree,
    current: &mut Option<usize>,
    in_unknown_section: &mut bool,
    bytes: &[u8],
    offsets: &Offsets,
    line: usize,
) {
    let r = trim(bytes, 0..bytes.len());
    if r.is_empty() {
        return;
    }
    // Template sources (`redis.service.j2`) hold `{% if … %}` lines that are rendered away.
    if bytes[r.clone()].starts_with(b"{%") || bytes[r.clone()].starts_with(b"{#") {
        return;
    }
    let text = |r: &Range<usize>| CompactString::from_utf8_lossy(&bytes[r.clone()]);
    let span = |r: &Range<usize>| offsets.at(r.start)..offsets.at(r.end - 1) + 1;
    let mut error = |kind, range: Range<usize>, message: String| {
        tree.errors.push(UnitError {
            kind,
            section: None,
            range,
            line,
            message,
        })
    };
    if bytes[r.start] == b'[' {
        if bytes[r.end - 1] != b']' || r.len() < 2 {
            error(
                UnitErrorKind::InvalidSectionHeader,
                span(&r),
                format!(
                    "invalid section header `{}`: systemd refuses to load this unit",
                    text(&r)
                ),
            );
            *current = None;
            *in_unknown_section = true;
            return;
        }
        let name = text(&(r.start + 1..r.end - 1));
        *in_unknown_section = !is_known_section(&name);
        if *in_unknown_section {
            error(
                UnitErrorKind::UnknownSection,
                span(&r),
                format!("unknown section `[{name}]` in a service unit: systemd ignores all of it"),
            );
        }
        tree.sections.push(Section {
            name,
            header: span(&r),
            entries: Vec::new(),
        });
        *current = Some(tree.sections.len() - 1);
        return;
    }
    let Some(section) = *current else {
        if !*in_unknown_section {
            error(
                UnitErrorKind::AssignmentOutsideSection,
                span(&r),
                "assignment outside of any section: systemd ignores it".to_string(),
            );
        }
        return;
    };
    let Some(eq) = bytes[r.clone()].iter().position(|&b| b == b'=') else {
        error(
            UnitErrorKind::MissingEquals,
            span(&r),
            format!("`{}` has no `=`: systemd ignores this line", text(&r)),
        );
        return;
    };
    let key_r = trim(bytes, r.start..r.start + eq);
    if key_r.is_empty() {
        error(
            UnitErrorKind::MissingKey,
            span(&r),
            "missing key name before `=`: systemd ignores this line".to_string(),
        );
        return;
    }
    let value_r = trim(bytes, r.start + eq + 1..r.end);
    let key = text(&key_r);
    let name = &tree.sections[section].name;
    if !*in_unknown_section && !key.contains("{{") && !is_known_key(name, &key) {
        error(
            UnitErrorKind::UnknownKey,
            span(&key_r),
            format!("unknown key `{key}` in section `[{name}]`: systemd ignores this setting"),
        );
        let name = name.clone();
        if let Some(last) = tree.errors.last_mut() {
            last.section = Some(name.to_string());
        }
    }
    let value_end = if value_r.is_empty() {
        offsets.at(key_r.end)
    } else {
        offsets.at(value_r.end - 1) + 1
    };
    let value_offsets = offsets.slice(value_r.clone(), value_end);
    tree.sections[section].entries.push(Entry {
        key,
        key_range: span(&key_r),
        value: text(&value_r),
        offsets: value_offsets,
        range: span(&r),
        line,
    });
}

/// One word of a command line (`ExecStart=`) with its range in the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub value: String,
    pub range: Range<usize>,
}

/// The prefixes of an `Exec*=` value (`-`, `@`, `:`, `+`, `!`, `!!`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecPrefix {
    /// `-`: a failing exit status is ignored.
    pub ignore_failure: bool,
    /// `@`: the second word is argv[0].
    pub argv0: bool,
    /// `:`: no environment variable substitution.
    pub no_env: bool,
    /// `+`, `!`, `!!`: runs without the sandboxing (full privileges).
    pub privileged: bool,
}

/// Split an `Exec*=` value into its prefixes and words the way systemd does: quotes `"…"`
/// and `'…'` group words, `\` escapes the next character, a lone `;` separates commands
/// (only the first command is returned). `%` specifiers and `$VAR` are kept as written.
pub fn split_exec(value: &str) -> (ExecPrefix, Vec<Word>) {
    let bytes = value.as_bytes();
    let mut prefix = ExecPrefix::default();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'-' => prefix.ignore_failure = true,
            b'@' => prefix.argv0 = true,
            b':' => prefix.no_env = true,
            b'+' | b'!' => prefix.privileged = true,
            _ => break,
        }
        i += 1;
    }
    let mut words = Vec::new();
    loop {
        while i < bytes.len() && is_blank(bytes[i]) {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let start = i;
        let mut out = Vec::new();
        let mut quote: Option<u8> = None;
        while i < bytes.len() {
            let b = bytes[i];
            match quote {
                Some(q) if b == q => {
                    quote = None;
                    i += 1;
                }
                None if is_blank(b) => break,
                None if b == b'"' || b == b'\'' => {
                    quote = Some(b);
                    i += 1;
                }
                _ if b == b'\\' && i + 1 < bytes.len() => {
                    out.push(match bytes[i + 1] {
                        b'n' => b'\n',
                        b't' => b'\t',
                        other => other,
                    });
                    i += 2;
                }
                _ => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        let word = String::from_utf8_lossy(&out).into_owned();
        if word == ";" && !words.is_empty() {
            break;
        }
        words.push(Word {
            value: word,
            range: start..i,
        });
    }
    (prefix, words)
}

/// Whether a word holds a `%` specifier (`%i`, `%n`, …) other than the literal `%%`.
pub fn has_specifier(word: &str) -> bool {
    let bytes = word.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'%' {
            if bytes[i + 1] != b'%' {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_as_runs() {
        let mut o = Offsets::from_runs(Vec::new());
        o.push_run(0, 10);
        let o = o.with_end(10, 20);
        assert_eq!(o.runs.len(), 1);
        assert!((0..=10).all(|i| o.at(i) == 10 + i));
        // "abc\\\n  def": two runs, joined.
        let mut o = Offsets::from_runs(Vec::new());
        o.push_run(0, 5);
        o.push_run(3, 20);
        let o = o.with_end(6, 40);
        let want = [5, 6, 7, 20, 21, 22, 40];
        assert!((0..want.len()).all(|i| o.at(i) == want[i]));
        let s = o.slice(1..5, 22);
        let want = [6, 7, 20, 21, 22];
        assert!((0..want.len()).all(|i| s.at(i) == want[i]));
    }

    #[test]
    fn sections_keys_and_comments() {
        let text = "# c\n[Unit]\nDescription = x y \n; c\n[Service]\nType=notify\nExecStart=/bin/a \\\n  # inside\n  b\n";
        let tree = parse(text, 100);
        assert!(tree.errors.is_empty(), "{:?}", tree.errors);
        assert_eq!(tree.sections.len(), 2);
        let d = &tree.sections[0].entries[0];
        assert_eq!(d.value, "x y");
        assert_eq!(
            &text[d.value_range().start - 100..d.value_range().end - 100],
            "x y"
        );
        let exec = &tree.sections[1].entries[1];
        assert_eq!(exec.value, "/bin/a    b");
        let (_, words) = split_exec(&exec.value);
        assert_eq!(words.len(), 2);
        let b = exec.value_span(words[1].range.clone());
        assert_eq!(&text[b.start - 100..b.end - 100], "b");
        assert_eq!(exec.line, 6);
    }

    #[test]
    fn grammar_errors() {
        let tree = parse(
            "Key=1\n[Unit]\nNoEquals\nBogus=1\n=x\n[Foo]\nA=b\n[Service\n",
            0,
        );
        let kinds: Vec<_> = tree.errors.iter().map(|e| (e.kind, e.line)).collect();
        assert_eq!(
            kinds,
            [
                (UnitErrorKind::AssignmentOutsideSection, 0),
                (UnitErrorKind::MissingEquals, 2),
                (UnitErrorKind::UnknownKey, 3),
                (UnitErrorKind::MissingKey, 4),
                (UnitErrorKind::UnknownSection, 5),
                (UnitErrorKind::InvalidSectionHeader, 7),
            ]
        );
    }

    #[test]
    fn template_lines_are_not_unit_lines() {
        let tree = parse(
            "[Service]\n{% if x %}\n{{ key }}=1\nNice=1\n{% endif %}\n",
            0,
        );
        assert!(tree.errors.is_empty(), "{:?}", tree.errors);
        assert_eq!(tree.sections[0].entries.len(), 2);
    }

    #[test]
    fn exec_prefixes_quotes_and_specifiers() {
        let (prefix, words) =
            split_exec("-@/usr/bin/redis-server redis \"/etc/my redis/%i.conf\" --port 1");
        assert!(prefix.ignore_failure && prefix.argv0);
        assert_eq!(words[2].value, "/etc/my redis/%i.conf");
        assert!(has_specifier(&words[2].value));
        assert!(!has_specifier("100%%"));
    }
}
