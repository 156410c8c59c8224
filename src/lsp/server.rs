//! The message loop: lifecycle, dispatch of requests and notifications, publishing.
//!
//! One thread reads messages in order and answers requests at once (hover, completion and
//! code actions read the buffer and the last results, never run a check). Checks run on
//! the [`Scheduler`]'s worker; their results come back as events on the same loop.

use super::code_actions::{code_actions, FIX_ALL_KIND};
use super::completion::complete;
use super::config::{from_client, ServerOptions};

use super::documents::{Document, Documents};
use super::hover::hover;
use super::project::{DocResult, Update};
use super::scheduler::{Event, Scheduler, DEBOUNCE};
use crate::Settings;
use crossbeam_channel::{never, select};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::Url;
use serde::de::DeserializeOwned;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Uninitialized,
    Running,
    ShuttingDown,
}

pub struct Server {
    connection: Connection,
    state: State,
    /// Settings from the command line; client settings apply over these.
    base: Settings,
    settings: Settings,
    settings_error: Option<String>,
    docs: Documents,
    /// Buffers changed since the worker last got their text.
    dirty: HashSet<Url>,
    scheduler: Option<Scheduler>,
    /// Last results accepted for each URI (open documents and files their findings reach).
    results: HashMap<Url, DocResult>,
    published: HashMap<Url, Vec<lsp::Diagnostic>>,
    watch_dynamically: bool,
    next_id: i32,
    /// The folder whose redis-halint.toml applies (the first workspace folder).
    config_root: Option<PathBuf>,
    /// A target version came from the command line or the client: it beats the file's.
    explicit_target: bool,
}

impl Server {
    pub fn new(connection: Connection, options: ServerOptions) -> Server {
        let (base, settings_error) = match options.settings() {
            Ok(s) => (s, None),
            Err(e) => (Settings::default(), Some(e)),
        };
        Server {
            connection,
            state: State::Uninitialized,
            settings: base.clone(),
            base,
            settings_error,
            docs: Documents::default(),
            dirty: HashSet::new(),
            scheduler: None,
            results: HashMap::new(),
            published: HashMap::new(),
            watch_dynamically: false,
            next_id: 0,
            config_root: None,
            explicit_target: false,
        }
    }

    /// Serve until `exit` or until the client goes away. `true` when `exit` followed
    /// `shutdown`, as the protocol asks.
    pub fn run(mut self) -> bool {
        let clean = loop {
            let timer = match self.scheduler.as_ref().and_then(Scheduler::deadline) {
                Some(deadline) => crossbeam_channel::at(deadline),
                None => never(),
            };
            let events = match &self.scheduler {
                Some(s) => s.events.clone(),
                None => never(),
            };
            select! {
                recv(self.connection.receiver) -> msg => match msg {
                    Ok(msg) => {
                        if let Some(clean) = self.handle(msg) {
                            break clean;
                        }
                    }
                    Err(_) => break false, // stdin closed without `exit`
                },
                recv(events) -> event => {
                    if let Ok(event) = event {
                        self.on_event(event);
                    }
                }
                recv(timer) -> _ => self.fire(),
            }
        };
        if let Some(scheduler) = self.scheduler.as_mut() {
            scheduler.shutdown();
        }
        clean
    }

    /// `Some(clean)` when the session is over.
    fn handle(&mut self, msg: Message) -> Option<bool> {
        match msg {
            Message::Request(req) => self.on_request(req),
            Message::Notification(not) => {
                if not.method == "exit" {
                    return Some(self.state == State::ShuttingDown);
                }
                if self.state == State::Running {
                    self.on_notification(not);
                }
            }
            Message::Response(_) => {} // replies to our registrations
        }
        None
    }

    fn send(&self, msg: impl Into<Message>) {
        let _ = self.connection.sender.send(msg.into());
    }

    fn reply<T: serde::Serialize>(&self, id: RequestId, result: T) {
        self.send(Response::new_ok(id, result));
    }

    fn error(&self, id: RequestId, code: ErrorCode, message: impl Into<String>) {
        self.send(Response::new_err(id, code as i32, message.into()));
    }

    fn notify<N: lsp::notification::Notification>(&self, params: N::Params) {
        self.send(Notification::new(N::METHOD.to_string(), params));
    }

    fn log(&self, typ: lsp::MessageType, message: impl Into<String>) {
        self.notify::<lsp::notification::LogMessage>(lsp::LogMessageParams {
            typ,
            message: message.into(),
        });
    }

    fn show(&self, typ: lsp::MessageType, message: impl Into<String>) {
        self.notify::<lsp::notification::ShowMessage>(lsp::ShowMessageParams {
            typ,
            message: message.into(),
        });
    }

    // ---- requests ----

    fn on_request(&mut self, req: Request) {
        match (self.state, req.method.as_str()) {
            (State::Uninitialized, lsp::request::Initialize::METHOD) => self.initialize(req),
            (State::Uninitialized, _) => self.error(
                req.id,
                ErrorCode::ServerNotInitialized,
                "the server is not initialized",
            ),
            (State::ShuttingDown, _) => self.error(
                req.id,
                ErrorCode::InvalidRequest,
                "the server is shutting down",
            ),
            (State::Running, lsp::request::Initialize::METHOD) => {
                self.error(req.id, ErrorCode::InvalidRequest, "already initialized")
            }
            (State::Running, lsp::request::Shutdown::METHOD) => {
                self.state = State::ShuttingDown;
                self.reply(req.id, ());
            }
            (State::Running, lsp::request::HoverRequest::METHOD) => {
                if let Some((id, params)) = self.params::<lsp::HoverParams>(req) {
                    let at = &params.text_document_position_params;
                    let result = self.docs.get(&at.text_document.uri).and_then(|doc| {
                        hover(
                            doc,
                            self.results.get(&doc.uri),
                            at.position,
                            self.settings.target,
                        )
                    });
                    self.reply(id, result);
                }
            }
            (State::Running, lsp::request::Completion::METHOD) => {
                if let Some((id, params)) = self.params::<lsp::CompletionParams>(req) {
                    let at = &params.text_document_position;
                    let result = self
                        .docs
                        .get(&at.text_document.uri)
                        .and_then(|doc| complete(doc, at.position, self.settings.target));
                    self.reply(id, result);
                }
            }
            (State::Running, lsp::request::CodeActionRequest::METHOD) => {
                if let Some((id, params)) = self.params::<lsp::CodeActionParams>(req) {
                    let actions = match self.docs.get(&params.text_document.uri) {
                        Some(doc) => code_actions(
                            self.results.get(&doc.uri),
                            doc.version,
                            doc.text(),
                            &params,
                        ),
                        None => Vec::new(),
                    };
                    self.reply(id, actions);
                }
            }
            (State::Running, method) => {
                let message = format!("unknown method {method}");
                self.error(req.id, ErrorCode::MethodNotFound, message)
            }
        }
    }

    /// The request's parameters, or an InvalidParams reply.
    fn params<P: DeserializeOwned>(&self, req: Request) -> Option<(RequestId, P)> {
        match serde_json::from_value(req.params) {
            Ok(params) => Some((req.id, params)),
            Err(e) => {
                self.error(
                    req.id,
                    ErrorCode::InvalidParams,
                    format!("invalid params for {}: {e}", req.method),
                );
                None
            }
        }
    }

    fn initialize(&mut self, req: Request) {
        let Some((id, params)) = self.params::<lsp::InitializeParams>(req) else {
            return;
        };
        let mut warnings: Vec<String> = self.settings_error.take().into_iter().collect();
        if let Some(options) = &params.initialization_options {
            match from_client(&self.base, options) {
                Ok(settings) => self.settings = settings,
                Err(e) => warnings.push(e),
            }
        }
        self.watch_dynamically = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false);
        let mut scheduler = Scheduler::new(self.settings.clone());
        #[allow(deprecated)]
        let roots: Vec<PathBuf> = match (
            &params.workspace_folders,
            &params.root_uri,
            &params.root_path,
        ) {
            (Some(folders), _, _) if !folders.is_empty() => folders
                .iter()
                .filter_map(|f| f.uri.to_file_path().ok())
                .collect(),
            (_, Some(uri), _) => uri.to_file_path().ok().into_iter().collect(),
            (_, _, Some(path)) => vec![PathBuf::from(path)],
            _ => Vec::new(),
        };
        if let Some(root) = roots.first() {
            self.config_root = Some(root.clone());
            let explicit = self.base.target != Settings::default().target
                || params.initialization_options.as_ref().is_some_and(|o| {
                    o.get("redis-halint")
                        .unwrap_or(o)
                        .get("targetVersion")
                        .is_some_and(|v| v.is_string())
                });
            self.explicit_target = explicit;
            let (settings, problems) = read_config_file(root, &self.settings, explicit);
            self.settings = settings;
            warnings.extend(problems);
            scheduler = Scheduler::new(self.settings.clone());
            scheduler.push(Update::Configs(Some(root.to_path_buf())));
        }
        for root in roots {
            scheduler.push(Update::AddFolder(root));
        }
        // Start reading the folders now, in the background.
        scheduler.fire();
        self.scheduler = Some(scheduler);
        self.state = State::Running;
        let result = lsp::InitializeResult {
            capabilities: capabilities(),
            server_info: Some(lsp::ServerInfo {
                name: "redis-halint".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        };
        self.reply(id, result);
        for warning in warnings {
            self.show(
                lsp::MessageType::WARNING,
                format!("redis-halint: {warning}; using the defaults"),
            );
        }
    }

    // ---- notifications ----

    fn on_notification(&mut self, not: Notification) {
        use lsp::notification as n;
        let method = not.method.clone();
        let result = match method.as_str() {
            n::Initialized::METHOD => {
                self.register_watchers();
                Ok(())
            }
            n::DidOpenTextDocument::METHOD => self.with(not, Self::did_open),
            n::DidChangeTextDocument::METHOD => self.with(not, Self::did_change),
            n::DidSaveTextDocument::METHOD => self.with(not, Self::did_save),
            n::DidCloseTextDocument::METHOD => self.with(not, Self::did_close),
            n::DidChangeWatchedFiles::METHOD => self.with(not, Self::did_change_watched_files),
            n::DidChangeWorkspaceFolders::METHOD => self.with(not, Self::did_change_folders),
            n::DidChangeConfiguration::METHOD => self.with(not, Self::did_change_configuration),
            _ => Ok(()), // $/cancelRequest, $/setTrace, anything else: nothing to do
        };
        if let Err(e) = result {
            self.log(
                lsp::MessageType::ERROR,
                format!("invalid params for {method}: {e}"),
            );
        }
    }

    fn with<P: DeserializeOwned>(
        &mut self,
        not: Notification,
        f: fn(&mut Self, P),
    ) -> Result<(), serde_json::Error> {
        let params = serde_json::from_value(not.params)?;
        f(self, params);
        Ok(())
    }

    fn scheduler(&mut self) -> &mut Scheduler {
        self.scheduler
            .as_mut()
            .expect("running servers have a scheduler")
    }

    fn did_open(&mut self, params: lsp::DidOpenTextDocumentParams) {
        let item = params.text_document;
        let doc = Document::new(item.uri.clone(), item.language_id, item.version, item.text);
        self.docs.open(doc);
        self.dirty.insert(item.uri);
        self.scheduler().schedule(Duration::ZERO);
    }

    fn did_change(&mut self, params: lsp::DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        match self.docs.get_mut(&uri) {
            Some(doc) => {
                doc.apply(params.text_document.version, params.content_changes);
                self.dirty.insert(uri);
                self.scheduler().schedule(DEBOUNCE);
            }
            None => self.log(
                lsp::MessageType::WARNING,
                format!("didChange for a document that is not open: {uri}"),
            ),
        }
    }

    fn did_save(&mut self, params: lsp::DidSaveTextDocumentParams) {
        // The buffer already holds the text; a client that sends it anyway is believed.
        if let (Some(text), Some(doc)) = (params.text, self.docs.get_mut(&params.text_document.uri))
        {
            if **doc.text() != *text {
                let version = doc.version;
                doc.apply(
                    version,
                    vec![lsp::TextDocumentContentChangeEvent {
                        range: None,
                        range_length: None,
                        text,
                    }],
                );
                self.dirty.insert(params.text_document.uri);
                self.scheduler().schedule(DEBOUNCE);
            }
        }
    }

    fn did_close(&mut self, params: lsp::DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        if let Some(doc) = self.docs.close(&uri) {
            self.dirty.remove(&uri);
            self.results.remove(&uri);
            self.scheduler().push(Update::Close { path: doc.path });
            self.scheduler().schedule(Duration::ZERO);
            if self.published.remove(&uri).is_some() {
                self.publish(uri, Vec::new(), None);
            }
        }
    }

    fn did_change_watched_files(&mut self, params: lsp::DidChangeWatchedFilesParams) {
        for change in params.changes {
            let Ok(path) = change.uri.to_file_path() else {
                continue;
            };
            if crate::settings::is_config_file(&path) {
                // The same file the CLI reads: re-read it and re-check with its settings.
                if let Some(root) = self.config_root.clone() {
                    let (settings, problems) =
                        read_config_file(&root, &self.settings, self.explicit_target);
                    for p in problems {
                        self.log(lsp::MessageType::WARNING, p);
                    }
                    self.settings = settings.clone();
                    self.scheduler().push(Update::Settings(settings));
                    // Read every config file again (a nested one may be the one changed).
                    self.scheduler().push(Update::Configs(Some(root)));
                }
            }
            let update = if change.typ == lsp::FileChangeType::DELETED {
                Update::DiskDeleted(path)
            } else {
                Update::DiskChanged(path)
            };
            self.scheduler().push(update);
        }
        self.scheduler().schedule(DEBOUNCE);
    }

    fn did_change_folders(&mut self, params: lsp::DidChangeWorkspaceFoldersParams) {
        for folder in params.event.removed {
            if let Ok(path) = folder.uri.to_file_path() {
                self.scheduler().push(Update::RemoveFolder(path));
            }
        }
        for folder in params.event.added {
            if let Ok(path) = folder.uri.to_file_path() {
                self.scheduler().push(Update::AddFolder(path));
            }
        }
        self.scheduler().schedule(Duration::ZERO);
    }

    fn did_change_configuration(&mut self, params: lsp::DidChangeConfigurationParams) {
        if params.settings.is_null() {
            return;
        }
        match from_client(&self.base, &params.settings) {
            Ok(settings) => {
                self.settings = settings.clone();
                self.scheduler().push(Update::Settings(settings));
                self.scheduler().schedule(Duration::ZERO);
            }
            Err(e) => self.show(lsp::MessageType::WARNING, format!("redis-halint: {e}")),
        }
    }

    fn register_watchers(&mut self) {
        if !self.watch_dynamically {
            return;
        }
        let globs = [
            "**/*.conf",
            "**/*.conf.tpl",
            "**/*.conf.template",
            "**/redis-halint.toml",
        ];
        let options = lsp::DidChangeWatchedFilesRegistrationOptions {
            watchers: globs
                .iter()
                .map(|g| lsp::FileSystemWatcher {
                    glob_pattern: lsp::GlobPattern::String(g.to_string()),
                    kind: None,
                })
                .collect(),
        };
        let params = lsp::RegistrationParams {
            registrations: vec![lsp::Registration {
                id: "redis-halint-watched-files".into(),
                method: lsp::notification::DidChangeWatchedFiles::METHOD.into(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        self.next_id += 1;
        let id = RequestId::from(format!("redis-halint-{}", self.next_id));
        self.send(Request::new(
            id,
            lsp::request::RegisterCapability::METHOD.into(),
            params,
        ));
    }

    // ---- checks ----

    fn fire(&mut self) {
        let Some(scheduler) = self.scheduler.as_mut() else {
            return;
        };
        for uri in self.dirty.drain() {
            if let Some(doc) = self.docs.get(&uri) {
                scheduler.push(Update::Open {
                    uri: uri.clone(),
                    path: doc.path.clone(),
                    version: doc.version,
                    text: doc.text().clone(),
                    explicit: doc.explicit_conf(),
                });
            }
        }
        scheduler.fire();
    }

    fn on_event(&mut self, event: Event) {
        match event {
            Event::Log(message) => self.log(lsp::MessageType::WARNING, message),
            Event::Checked { results, elapsed } => {
                let mut fresh: HashSet<Url> = HashSet::new();
                let mut stale: HashSet<Url> = HashSet::new();
                for result in results {
                    let current = self.docs.get(&result.uri).map(|d| d.version);
                    if current != result.version || self.dirty.contains(&result.uri) {
                        // Computed from text the user has changed since: a newer check
                        // is on its way.
                        stale.insert(result.uri);
                        continue;
                    }
                    fresh.insert(result.uri.clone());
                    let diagnostics: Vec<lsp::Diagnostic> =
                        result.items.iter().map(|i| i.diagnostic.clone()).collect();
                    if self.published.get(&result.uri) != Some(&diagnostics) {
                        self.published
                            .insert(result.uri.clone(), diagnostics.clone());
                        self.publish(result.uri.clone(), diagnostics, result.version);
                    }
                    self.results.insert(result.uri.clone(), result);
                }
                let gone: Vec<Url> = self
                    .published
                    .keys()
                    .filter(|u| !fresh.contains(*u) && !stale.contains(*u))
                    .cloned()
                    .collect();
                for uri in gone {
                    self.published.remove(&uri);
                    self.results.remove(&uri);
                    let version = self.docs.get(&uri).map(|d| d.version);
                    self.publish(uri, Vec::new(), version);
                }
                self.log(
                    lsp::MessageType::LOG,
                    format!("checked in {:.1} ms", elapsed.as_secs_f64() * 1000.0),
                );
            }
        }
    }

    fn publish(&self, uri: Url, diagnostics: Vec<lsp::Diagnostic>, version: Option<i32>) {
        self.notify::<lsp::notification::PublishDiagnostics>(lsp::PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        });
    }
}

fn capabilities() -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                save: Some(lsp::TextDocumentSyncSaveOptions::SaveOptions(
                    lsp::SaveOptions {
                        include_text: Some(false),
                    },
                )),
                ..Default::default()
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec![" ".into()]),
            ..Default::default()
        }),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![
                    lsp::CodeActionKind::QUICKFIX,
                    lsp::CodeActionKind::new(FIX_ALL_KIND),
                ]),
                resolve_provider: Some(false),
                work_done_progress_options: Default::default(),
            },
        )),
        workspace: Some(lsp::WorkspaceServerCapabilities {
            workspace_folders: Some(lsp::WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(lsp::OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..Default::default()
    }
}

/// Settings from the redis-halint.toml that applies to `root`, as the CLI reads it: the
/// target version from the file only when none was given explicitly. (Rule selection and
/// severities are applied per file by the worker, with every nested config.)
fn read_config_file(
    root: &std::path::Path,
    current: &Settings,
    explicit_target: bool,
) -> (Settings, Vec<String>) {
    let mut resolver = crate::settings::Resolver::new(root.to_path_buf(), None);
    let mut settings = current.clone();
    let mut problems = std::mem::take(&mut resolver.errors);
    if let Some(resolved) = resolver.for_path(root) {
        if !explicit_target {
            if let Some(t) = &resolved.target_version {
                settings.target = t.value;
            }
        }
        settings = Settings {
            elsewhere: Vec::new(),
            sites: Vec::new(),
            ..settings
        }
        .with_topology(resolved.topology.as_ref().map(|t| &t.value));
    }
    problems.append(&mut resolver.errors);
    (settings, problems)
}
