//! Which redis command a start script runs, given the environment of its container.
//!
//! One script often serves every role of an image: `if [ "$SENTINEL" = true ]; then
//! launch_sentinel; exit 0; fi`, a `case "$ROLE" in` or functions called from such
//! branches. The script is reduced once, when it is read, to its control flow (tests,
//! branches, function bodies and calls, exits, the redis commands and the other programs
//! it runs); [`Flow::reach`] then walks that flow for one environment. A test the
//! environment decides takes one branch; any other test (a command's output, `$?`, a
//! file test) may go either way.

use crate::syntax::shell;

/// A test of an `if`, `elif`, `&&`/`||` list or `while`: the words of `[ … ]`,
/// `[[ … ]]` or `test …`, or nothing when the condition is a command.
#[derive(Debug, Clone)]
enum Cond {
    Test(Vec<String>),
    Command,
    Not(Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
}

#[derive(Debug, Clone)]
enum Step {
    If(Cond),
    Elif(Cond),
    Else,
    Fi,
    Case(String),
    Arm(Vec<String>),
    Esac,
    /// The next step runs only when the condition holds (`test && cmd`).
    Guard(Cond),
    Function(String),
    FunctionEnd,
    Call(String),
    Exit,
    Return,
    /// Redis command `n` of the script; `exec` replaces the shell.
    Start(usize, bool),
    /// Another program the script runs (a script, a supervisor): its words.
    Run(Vec<String>),
}

/// The control flow of a script, reduced to what decides which redis command runs.
#[derive(Debug, Clone, Default)]
pub struct Flow {
    steps: Vec<Step>,
    /// Variables the script assigns itself: their value is not the environment's.
    assigned: Vec<String>,
    /// Variables assigned once, to a positional parameter (`MODE="${1:-redis}"`): their
    /// value is that parameter's, with its default.
    positional: Vec<(String, String)>,
}

/// What the environment says of a variable.
#[derive(Debug, Clone, PartialEq)]
pub enum EnvValue {
    Unset,
    /// Set to a value we cannot see (a Secret, a field reference).
    Unknown,
    Known(String),
}

/// The words that stand for all of a script's arguments.
const ALL_ARGUMENTS: &[&str] = &["$@", "${@}", "$*", "${*}"];

/// A redis command the script may run in one environment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reached {
    /// Index among the script's redis commands.
    pub command: usize,
    /// Reached whatever the tests the environment does not decide come out as.
    pub definite: bool,
    /// Inside a branch that the environment chose (`SENTINEL=true` for `if [ "$SENTINEL"
    /// = true ]`): the role the container was configured for.
    pub selected: bool,
}

/// What a walk of the flow found.
#[derive(Debug, Default)]
pub struct Reach {
    pub starts: Vec<Reached>,
    /// Other programs it may run, with their words.
    pub runs: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tri {
    Yes,
    Maybe,
    No,
}

impl Tri {
    fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Yes, Tri::Yes) => Tri::Yes,
            _ => Tri::Maybe,
        }
    }
    fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
            (Tri::No, Tri::No) => Tri::No,
            _ => Tri::Maybe,
        }
    }
    fn not(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            Tri::Maybe => Tri::Maybe,
        }
    }
}

const KEYWORDS: &[&str] = &[
    "then", "do", "else", "{", "!", "if", "elif", "while", "until",
];

/// Programs that start the services of an image rather than a service of their own.
pub const SUPERVISORS: &[&str] = &["supervisord", "my_init", "runsvdir", "s6-svscan"];

/// The text between two commands (`&&`, `||`, `;`, a newline).
fn separator<'a>(text: &'a str, before: &shell::Command, next: &shell::Command) -> &'a str {
    let end = before
        .words
        .iter()
        .map(|w| w.range.end)
        .chain(before.redirects.iter().map(|r| r.target.range.end))
        .max();
    let start = next
        .assignments
        .first()
        .or(next.words.first())
        .map(|w| w.range.start);
    match (end, start) {
        (Some(e), Some(s)) if e <= s => text.get(e..s).unwrap_or(""),
        _ => "",
    }
}

/// The text right after a command's last word (`)` of a case pattern, `()` of a
/// function definition), leading blanks left out.
fn text_after<'a>(text: &'a str, command: &shell::Command) -> &'a str {
    command
        .words
        .last()
        .and_then(|w| text.get(w.range.end..))
        .unwrap_or("")
        .trim_start()
}

fn test_of(words: &[String]) -> Cond {
    let (negate, words) = match words.first().map(String::as_str) {
        Some("!") => (true, &words[1..]),
        _ => (false, words),
    };
    let cond = match words.first().map(String::as_str) {
        Some("[") | Some("[[") => {
            let inner = &words[1..];
            let inner = match inner.last().map(String::as_str) {
                Some("]") | Some("]]") => &inner[..inner.len() - 1],
                _ => inner,
            };
            Cond::Test(inner.to_vec())
        }
        Some("test") => Cond::Test(words[1..].to_vec()),
        _ => Cond::Command,
    };
    if negate {
        Cond::Not(Box::new(cond))
    } else {
        cond
    }
}

impl Flow {
    /// `starts` maps a command of `script` to the index of the redis command it is.
    pub fn build(
        text: &str,
        script: &shell::Script,
        starts: &dyn Fn(usize) -> Option<usize>,
    ) -> Flow {
        let assignments = shell::assignments(script);
        let positional = assignments
            .iter()
            .filter(|(n, _)| assignments.iter().filter(|(m, _)| m == n).count() == 1)
            .filter(|(_, w)| shell::positional_index(&w.value).is_some())
            .map(|(n, w)| (n.clone(), w.value.clone()))
            .collect();
        let mut flow = Flow {
            assigned: assignments.into_iter().map(|(n, _)| n).collect(),
            positional,
            ..Flow::default()
        };
        // An open condition (after `if`/`elif`/`while`, before `then`/`do`).
        let mut pending: Option<(&'static str, Cond)> = None;
        // Open function bodies: the brace depth each started at.
        let mut functions: Vec<usize> = Vec::new();
        let mut braces = 0usize;
        let mut in_case = 0usize;
        let commands: Vec<(usize, &shell::Command)> = script
            .commands
            .iter()
            .enumerate()
            .filter(|(_, c)| c.depth == 0)
            .collect();
        // A guard pushed for a command that then gave no step guards nothing.
        let mut guard_at: Option<usize> = None;
        for (position, &(i, command)) in commands.iter().enumerate() {
            if guard_at.take().is_some_and(|g| flow.steps.len() == g + 1) {
                flow.steps.pop();
            }
            let sep = position
                .checked_sub(1)
                .map_or("", |p| separator(text, commands[p].1, command));
            let words: Vec<String> = command.words.iter().map(|w| w.value.clone()).collect();
            let mut rest: &[String] = &words;
            // A condition continued by `&&` / `||`.
            if let Some((_, cond)) = pending.as_mut() {
                let joined = sep.contains("&&") || sep.contains("||");
                let leading = rest.first().map(String::as_str);
                if joined && !matches!(leading, Some("then" | "do")) {
                    let next = test_of(rest);
                    let old = std::mem::replace(cond, Cond::Command);
                    *cond = if sep.contains("&&") {
                        Cond::And(Box::new(old), Box::new(next))
                    } else {
                        Cond::Or(Box::new(old), Box::new(next))
                    };
                    continue;
                }
            }
            // A case arm's pattern: a word followed by `)` or `|` in the text.
            if in_case > 0 && words.len() == 1 {
                let after = text_after(text, command);
                if after.starts_with(')') || after.starts_with('|') {
                    let pattern = words[0].trim_start_matches('(').to_string();
                    match flow.steps.last_mut() {
                        // `a|b)`: one arm of several patterns.
                        Some(Step::Arm(p)) if sep.trim().is_empty() || sep.contains('|') => {
                            p.push(pattern)
                        }
                        _ => flow.steps.push(Step::Arm(vec![pattern])),
                    }
                    continue;
                }
            }
            // `a && b`: b runs when a succeeds.
            if pending.is_none() && position > 0 && (sep.contains("&&") || sep.contains("||")) {
                let previous: Vec<String> = commands[position - 1]
                    .1
                    .words
                    .iter()
                    .map(|w| w.value.clone())
                    .skip_while(|w| KEYWORDS.contains(&w.as_str()))
                    .collect();
                let cond = test_of(&previous);
                guard_at = Some(flow.steps.len());
                flow.steps.push(Step::Guard(if sep.contains("||") {
                    Cond::Not(Box::new(cond))
                } else {
                    cond
                }));
            }
            while let Some(word) = rest.first().map(String::as_str) {
                match word {
                    "for" | "select" => {
                        pending = Some(("for", Cond::Test(vec!["1".into()])));
                        rest = &[];
                    }
                    "if" | "elif" | "while" | "until" => {
                        let cond = test_of(&rest[1..]);
                        let kind = match word {
                            "if" => "if",
                            "elif" => "elif",
                            _ => "loop",
                        };
                        pending = Some((kind, cond));
                        rest = &[];
                    }
                    "then" | "do" => {
                        if let Some((kind, cond)) = pending.take() {
                            flow.steps.push(match kind {
                                "if" => Step::If(cond),
                                "elif" => Step::Elif(cond),
                                // A loop's body runs (retry loops of start scripts).
                                _ => Step::If(Cond::Test(vec!["1".into()])),
                            });
                        }
                        rest = &rest[1..];
                    }
                    "else" => {
                        flow.steps.push(Step::Else);
                        rest = &rest[1..];
                    }
                    "fi" | "done" => {
                        flow.steps.push(Step::Fi);
                        rest = &rest[1..];
                    }
                    "case" => {
                        in_case += 1;
                        flow.steps
                            .push(Step::Case(rest.get(1).cloned().unwrap_or_default()));
                        rest = &[];
                    }
                    "esac" => {
                        in_case = in_case.saturating_sub(1);
                        flow.steps.push(Step::Esac);
                        rest = &rest[1..];
                    }
                    "{" => {
                        braces += 1;
                        rest = &rest[1..];
                    }
                    "}" => {
                        if functions.last() == Some(&braces) {
                            functions.pop();
                            flow.steps.push(Step::FunctionEnd);
                        }
                        braces = braces.saturating_sub(1);
                        rest = &rest[1..];
                    }
                    "function" => {
                        let name = rest.get(1).map_or("", |n| n.trim_end_matches("()"));
                        flow.steps.push(Step::Function(name.to_string()));
                        functions.push(braces + 1);
                        rest = &[];
                    }
                    _ => break,
                }
            }
            let Some(first) = rest.first() else { continue };
            // `name() {` / `name () {`
            let after = text_after(text, command);
            if rest.len() == 1 && after.starts_with("()") || rest.len() == 2 && rest[1] == "()" {
                flow.steps
                    .push(Step::Function(first.trim_end_matches("()").to_string()));
                functions.push(braces + 1);
                continue;
            }
            if let Some(n) = starts(i) {
                let exec = rest.first().is_some_and(|w| w == "exec");
                flow.steps.push(Step::Start(n, exec));
                continue;
            }
            let Some((p, program)) = command.program() else {
                continue;
            };
            let name = shell::basename(&program.value);
            match name {
                "exit" => flow.steps.push(Step::Exit),
                "return" => flow.steps.push(Step::Return),
                _ => {
                    let words: Vec<String> =
                        command.words[p..].iter().map(|w| w.value.clone()).collect();
                    // `exec "$@"`: the script runs its arguments (an image's CMD).
                    let runs_arguments = ALL_ARGUMENTS.contains(&program.value.as_str());
                    let runs_file = program.value.contains('/')
                        || runs_arguments
                        || matches!(name, "sh" | "bash" | "source" | ".")
                        || SUPERVISORS.contains(&name);
                    if runs_file {
                        flow.steps.push(Step::Run(words));
                    } else if !name.contains(['$', '=']) {
                        flow.steps.push(Step::Call(name.to_string()));
                    }
                }
            }
        }
        if guard_at.is_some_and(|g| flow.steps.len() == g + 1) {
            flow.steps.pop();
        }
        flow
    }

    /// The redis commands and programs the script may run when its variables are `env`.
    pub fn reach(&self, env: &dyn Fn(&str) -> EnvValue) -> Reach {
        // Function bodies: name → step range.
        let mut bodies: std::collections::HashMap<&str, (usize, usize)> = Default::default();
        let mut open: Vec<(&str, usize)> = Vec::new();
        let mut top: Vec<usize> = Vec::new();
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                Step::Function(name) => open.push((name, i + 1)),
                Step::FunctionEnd => {
                    if let Some((name, start)) = open.pop() {
                        bodies.insert(name, (start, i));
                    }
                }
                _ if open.is_empty() => top.push(i),
                _ => {}
            }
        }
        let mut walker = Walker {
            flow: self,
            env,
            bodies,
            out: Reach::default(),
            stack: Vec::new(),
        };
        let _ = walker.walk(&top, Tri::Yes, false);
        walker.out
    }

    fn value(&self, word: &str, env: &dyn Fn(&str) -> EnvValue) -> (Option<String>, bool) {
        let Some(rest) = word.strip_prefix('$') else {
            return if word.contains(['`', '$']) {
                (None, false)
            } else {
                (Some(word.to_string()), false)
            };
        };
        let (name, default) = match rest.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
            Some(inner) => match inner.split_once(":-").or_else(|| inner.split_once('-')) {
                Some((n, d)) => (n, Some(d)),
                None => (inner, None),
            },
            None => (rest, None),
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return (None, false);
        }
        if let Some((_, expansion)) = self.positional.iter().find(|(n, _)| n == name) {
            return self.value(expansion, env);
        }
        if self.assigned.iter().any(|a| a == name) {
            return (None, false);
        }
        match env(name) {
            EnvValue::Known(v) if !v.is_empty() => (Some(v), true),
            EnvValue::Known(_) | EnvValue::Unset => {
                (Some(default.unwrap_or("").to_string()), false)
            }
            EnvValue::Unknown => (None, false),
        }
    }

    /// (outcome, whether a variable of the environment decided it).
    fn eval(&self, cond: &Cond, env: &dyn Fn(&str) -> EnvValue) -> (Tri, bool) {
        match cond {
            Cond::Command => (Tri::Maybe, false),
            Cond::Not(c) => {
                let (t, s) = self.eval(c, env);
                (t.not(), s && t.not() == Tri::Yes)
            }
            Cond::And(a, b) => {
                let (x, sx) = self.eval(a, env);
                let (y, sy) = self.eval(b, env);
                (x.and(y), sx || sy)
            }
            Cond::Or(a, b) => {
                let (x, sx) = self.eval(a, env);
                let (y, sy) = self.eval(b, env);
                (x.or(y), sx || sy)
            }
            Cond::Test(words) => {
                let w: Vec<&str> = words.iter().map(String::as_str).collect();
                let known = |t: bool, s: bool| (if t { Tri::Yes } else { Tri::No }, s && t);
                match w.as_slice() {
                    [a, op @ ("=" | "==" | "!="), b] => {
                        let (x, sx) = self.value(a, env);
                        let (y, sy) = self.value(b, env);
                        match (x, y) {
                            (Some(x), Some(y)) => {
                                let equal = x == y;
                                known(if *op == "!=" { !equal } else { equal }, sx || sy)
                            }
                            _ => (Tri::Maybe, false),
                        }
                    }
                    [op @ ("-n" | "-z"), a] => match self.value(a, env) {
                        (Some(v), s) => known((*op == "-n") != v.is_empty(), s),
                        (None, _) => (Tri::Maybe, false),
                    },
                    [a] => match self.value(a, env) {
                        (Some(v), s) => known(!v.is_empty(), s),
                        (None, _) => (Tri::Maybe, false),
                    },
                    _ => (Tri::Maybe, false),
                }
            }
        }
    }
}

struct Walker<'a> {
    flow: &'a Flow,
    env: &'a dyn Fn(&str) -> EnvValue,
    bodies: std::collections::HashMap<&'a str, (usize, usize)>,
    out: Reach,
    /// Functions being walked (no recursion).
    stack: Vec<&'a str>,
}

/// How a walk ended.
#[derive(PartialEq)]
enum End {
    /// Fell through to its end.
    Through,
    /// An `exit` (or `exec`) that is certainly reached: nothing after it runs.
    Exit,
    /// A `return` certainly reached.
    Return,
}

/// One open `if`/`case`: whether the block is live, whether a branch was certainly
/// taken already, whether some branch may have been, and the current branch.
struct Block {
    outer: Tri,
    outer_selected: bool,
    taken: Tri,
    branch: Tri,
    selected: bool,
    subject: Option<(Option<String>, bool)>,
}

impl<'a> Walker<'a> {
    /// A command's words with the script's arguments put in (`"$@"`, `$1`) where the
    /// caller says what they are.
    fn positional(&self, words: &[String]) -> Vec<String> {
        let arg = |n: &str| match (self.env)(n) {
            EnvValue::Known(v) => Some(v),
            _ => None,
        };
        let mut out = Vec::new();
        for w in words {
            if ALL_ARGUMENTS.contains(&w.as_str()) {
                out.extend((1..64).map_while(|n| arg(&n.to_string())));
                continue;
            }
            let n = w
                .strip_prefix("${")
                .and_then(|r| r.strip_suffix('}'))
                .or_else(|| w.strip_prefix('$'))
                .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            match n.and_then(arg) {
                Some(v) => out.push(v),
                None => out.push(w.clone()),
            }
        }
        out
    }

    fn walk(&mut self, steps: &[usize], live: Tri, selected: bool) -> End {
        let mut blocks: Vec<Block> = Vec::new();
        let mut guard: Option<(Tri, bool)> = None;
        let current = |blocks: &[Block]| -> (Tri, bool) {
            blocks.last().map_or((live, selected), |b| {
                (b.outer.and(b.branch), b.outer_selected || b.selected)
            })
        };
        for &i in steps {
            let step = &self.flow.steps[i];
            let (mut here, mut sel) = current(&blocks);
            if let Some((g, s)) = guard.take() {
                here = here.and(g);
                sel |= s;
            }
            match step {
                Step::If(cond) => {
                    let (c, s) = self.flow.eval(cond, self.env);
                    blocks.push(Block {
                        outer: here,
                        outer_selected: sel,
                        taken: c,
                        branch: c,
                        selected: s,
                        subject: None,
                    });
                }
                Step::Elif(cond) => {
                    let (c, s) = self.flow.eval(cond, self.env);
                    if let Some(b) = blocks.last_mut() {
                        b.branch = b.taken.not().and(c);
                        b.taken = b.taken.or(c);
                        b.selected = s && b.branch == Tri::Yes;
                    }
                }
                Step::Else => {
                    if let Some(b) = blocks.last_mut() {
                        b.branch = b.taken.not();
                        b.taken = Tri::Yes;
                        b.selected = false;
                    }
                }
                Step::Case(word) => {
                    let subject = self.flow.value(word, self.env);
                    blocks.push(Block {
                        outer: here,
                        outer_selected: sel,
                        taken: Tri::No,
                        branch: Tri::No,
                        selected: false,
                        subject: Some(subject),
                    });
                }
                Step::Arm(patterns) => {
                    if let Some(b) = blocks.last_mut() {
                        let (value, from_env) = b.subject.clone().unwrap_or((None, false));
                        let any = patterns.iter().any(|p| p == "*");
                        let c = match &value {
                            _ if any => Tri::Yes,
                            Some(v) => {
                                if patterns.iter().any(|p| p.trim_matches(['"', '\'']) == v) {
                                    Tri::Yes
                                } else if patterns.iter().any(|p| p.contains(['*', '?', '['])) {
                                    Tri::Maybe
                                } else {
                                    Tri::No
                                }
                            }
                            None => Tri::Maybe,
                        };
                        b.branch = b.taken.not().and(c);
                        b.taken = b.taken.or(c);
                        b.selected = from_env && !any && b.branch == Tri::Yes;
                    }
                }
                Step::Fi | Step::Esac => {
                    blocks.pop();
                }
                Step::Guard(cond) => {
                    guard = Some(self.flow.eval(cond, self.env));
                }
                Step::Function(_) | Step::FunctionEnd => {}
                Step::Exit | Step::Return if here == Tri::Yes => {
                    return if matches!(step, Step::Exit) {
                        End::Exit
                    } else {
                        End::Return
                    };
                }
                Step::Exit | Step::Return => {}
                Step::Start(n, exec) => {
                    if here != Tri::No {
                        self.out.starts.push(Reached {
                            command: *n,
                            definite: here == Tri::Yes,
                            selected: sel,
                        });
                        if *exec && here == Tri::Yes {
                            return End::Exit;
                        }
                    }
                }
                Step::Run(words) => {
                    if here != Tri::No {
                        self.out.runs.push(self.positional(words));
                        if words.first().is_some_and(|w| w == "exec") && here == Tri::Yes {
                            return End::Exit;
                        }
                    }
                }
                Step::Call(name) => {
                    if here == Tri::No
                        || self.stack.len() > 8
                        || self.stack.contains(&name.as_str())
                    {
                        continue;
                    }
                    let Some(&(start, end)) = self.bodies.get(name.as_str()) else {
                        continue;
                    };
                    let body: Vec<usize> =
                        (start..end).filter(|&s| !self.nested(start, s)).collect();
                    self.stack.push(name);
                    let ended = self.walk(&body, here, sel);
                    self.stack.pop();
                    if ended == End::Exit {
                        return End::Exit;
                    }
                }
            }
        }
        End::Through
    }

    /// A step inside a function defined within the body that starts at `start`.
    fn nested(&self, start: usize, step: usize) -> bool {
        let mut depth = 0usize;
        for s in &self.flow.steps[start..=step] {
            match s {
                Step::Function(_) => depth += 1,
                Step::FunctionEnd => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        depth > 0 || matches!(self.flow.steps[step], Step::FunctionEnd)
    }
}

/// The redis command a container runs from a script that serves several roles: the one
/// its environment selects, else the one reached whatever the other tests say, else the
/// only one. `None` when the choice stays open between different commands.
pub fn chosen(reached: &[Reached], same: &dyn Fn(usize, usize) -> bool) -> Option<usize> {
    let selected: Vec<&Reached> = reached.iter().filter(|r| r.selected).collect();
    let definite: Vec<&Reached> = reached.iter().filter(|r| r.definite).collect();
    let pool: Vec<&Reached> = if !selected.is_empty() {
        selected
    } else if !definite.is_empty() {
        definite
    } else {
        reached.iter().collect()
    };
    let first = pool.first()?.command;
    pool.iter().all(|r| same(first, r.command)).then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reach(text: &str, env: &[(&str, &str)]) -> Vec<(usize, bool, bool)> {
        let script = shell::parse(text);
        let mut n = 0;
        let mut map = std::collections::HashMap::new();
        for (i, c) in script.commands.iter().enumerate() {
            if c.words.iter().any(|w| w.value.starts_with("redis-")) {
                map.insert(i, n);
                n += 1;
            }
        }
        let flow = Flow::build(text, &script, &|i| map.get(&i).copied());
        let lookup = |name: &str| match env.iter().find(|(k, _)| *k == name) {
            Some((_, "?")) => EnvValue::Unknown,
            Some((_, v)) => EnvValue::Known(v.to_string()),
            None => EnvValue::Unset,
        };
        flow.reach(&lookup)
            .starts
            .iter()
            .map(|r| (r.command, r.definite, r.selected))
            .collect()
    }

    #[test]
    fn positional_arguments_and_variables_set_from_them() {
        let text = "MODE=\"${1:-redis}\"\nif [[ \"${MODE}\" == \"redis\" ]]; then\n  exec redis-server /r.conf\nelif [[ \"${MODE}\" == \"sentinel\" ]]; then\n  exec redis-sentinel /s.conf\nfi\n";
        let starts = |env: &[(&str, &str)]| -> Vec<usize> {
            reach(text, env).into_iter().map(|(c, _, _)| c).collect()
        };
        assert_eq!(starts(&[("1", "sentinel")]), vec![1]);
        assert_eq!(starts(&[("1", "redis")]), vec![0]);
        // No argument: the default.
        assert_eq!(starts(&[]), vec![0]);
    }

    const ROLES: &str = "#!/bin/bash\nm=`redis-cli -h s sentinel get-master-addr-by-name x`\nfunction launchmaster() {\n  redis-server /etc/m.conf\n}\nfunction launchsentinel() {\n  redis-sentinel /etc/s.conf\n}\nfunction launchslave() {\n  if [[ \"${m}\" != \"NULL\" ]]; then\n    echo ok\n  else\n    launchmaster\n    exit 0\n  fi\n  redis-server /etc/r.conf\n}\nif [[ \"${MASTER}\" == \"true\" ]]; then\n  if [[ \"${m}\" != \"NULL\" ]]; then\n    echo slave\n  else\n    launchmaster\n    exit 0\n  fi\nfi\nif [[ \"${SENTINEL}\" == \"true\" ]]; then\n  launchsentinel\n  exit 0\nfi\nlaunchslave\n";

    #[test]
    fn the_environment_picks_the_role() {
        // The starts are 0 (m.conf), 1 (s.conf), 2 (r.conf).
        let sentinel = reach(ROLES, &[("SENTINEL", "true")]);
        assert_eq!(sentinel, vec![(1, true, true)]);
        let master = reach(ROLES, &[("MASTER", "true")]);
        assert!(master.contains(&(0, false, true)));
        assert!(master.contains(&(2, true, false)));
        let replica = reach(ROLES, &[]);
        assert_eq!(replica, vec![(0, false, false), (2, true, false)]);
        let pick = |r: Vec<(usize, bool, bool)>| {
            let r: Vec<Reached> = r
                .into_iter()
                .map(|(command, definite, selected)| Reached {
                    command,
                    definite,
                    selected,
                })
                .collect();
            chosen(&r, &|a, b| a == b)
        };
        assert_eq!(pick(master), Some(0));
        assert_eq!(pick(replica), Some(2));
        // A Secret-backed value decides nothing: both roles stay open.
        let unknown = reach(ROLES, &[("SENTINEL", "?")]);
        assert!(unknown.contains(&(1, false, false)));
        assert!(unknown.contains(&(2, false, false)) || unknown.contains(&(2, true, false)));
    }

    #[test]
    fn case_arms_and_guards() {
        let text = "#!/bin/sh\ncase \"$ROLE\" in\n  sentinel) exec redis-sentinel /s.conf ;;\n  master|primary)\n    exec redis-server /m.conf\n    ;;\n  *) exec redis-server /r.conf ;;\nesac\n";
        assert_eq!(reach(text, &[("ROLE", "sentinel")]), vec![(0, true, true)]);
        assert_eq!(reach(text, &[("ROLE", "primary")]), vec![(1, true, true)]);
        assert_eq!(reach(text, &[("ROLE", "x")]), vec![(2, true, false)]);
        let text = "#!/bin/sh\n[ \"$S\" = yes ] && exec redis-sentinel /s.conf\nexec redis-server /r.conf\n";
        assert_eq!(reach(text, &[("S", "yes")]), vec![(0, true, true)]);
        assert_eq!(reach(text, &[]), vec![(1, true, false)]);
    }
}
#[cfg(test)]
mod argument_runs {
    use super::*;

    /// `exec "$@"` runs the script's arguments; `$1` in a run is the first of them.
    #[test]
    fn a_script_runs_its_arguments() {
        let text = "#!/bin/sh\nset -e\n/usr/bin/prepare \"$1\"\nexec \"$@\"\n";
        let script = shell::parse(text);
        let flow = Flow::build(text, &script, &|_| None);
        let args = ["redis-server", "/etc/redis/sentinel.conf", "--sentinel"];
        let env = |n: &str| match n.parse::<usize>() {
            Ok(i) if (1..=args.len()).contains(&i) => EnvValue::Known(args[i - 1].into()),
            _ => EnvValue::Unset,
        };
        assert_eq!(
            flow.reach(&env).runs,
            vec![
                vec!["/usr/bin/prepare".to_string(), "redis-server".to_string()],
                args.iter().map(|a| a.to_string()).collect(),
            ]
        );
    }
}
