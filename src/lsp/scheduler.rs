//! When checks run, and where: changes are debounced on the message loop, and checks run
//! on one worker thread that owns the [`Project`]. The loop never waits for a check; a
//! result computed from a buffer version that has changed since is dropped by the loop.

use super::project::{DocResult, Project, Update};
use crate::Settings;
use crossbeam_channel::{unbounded, Receiver, Sender};
use std::time::{Duration, Instant};

/// Quiet time after a keystroke before a check starts.
pub const DEBOUNCE: Duration = Duration::from_millis(50);
/// Longest a check waits while the user keeps typing.
pub const MAX_DELAY: Duration = Duration::from_millis(500);

#[derive(Debug)]
struct Job {
    updates: Vec<Update>,
    check: bool,
}

#[derive(Debug)]
pub enum Event {
    Checked {
        results: Vec<DocResult>,
        elapsed: Duration,
    },
    /// Something to tell the user (unreadable folder, a check that panicked).
    Log(String),
}

pub struct Scheduler {
    jobs: Sender<Job>,
    pub events: Receiver<Event>,
    pending: Vec<Update>,
    first_pending: Option<Instant>,
    deadline: Option<Instant>,
    worker: Option<std::thread::JoinHandle<()>>,
}

impl Scheduler {
    pub fn new(settings: Settings) -> Scheduler {
        let (jobs, job_rx) = unbounded::<Job>();
        let (event_tx, events) = unbounded::<Event>();
        let worker = std::thread::Builder::new()
            .name("redis-halint-check".into())
            .spawn(move || worker(Project::new(settings), job_rx, event_tx))
            .expect("spawn worker thread");
        Scheduler {
            jobs,
            events,
            pending: Vec::new(),
            first_pending: None,
            deadline: None,
            worker: Some(worker),
        }
    }

    /// Queue an update; it reaches the worker with the next check.
    pub fn push(&mut self, update: Update) {
        self.pending.push(update);
    }

    /// Ask for a check after `delay` of quiet (a later call moves the deadline, up to
    /// [`MAX_DELAY`] after the first change).
    pub fn schedule(&mut self, delay: Duration) {
        let now = Instant::now();
        let first = *self.first_pending.get_or_insert(now);
        self.deadline = Some((now + delay).min(first + MAX_DELAY));
    }

    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Send the queued updates and a check to the worker.
    pub fn fire(&mut self) {
        self.deadline = None;
        self.first_pending = None;
        let updates = std::mem::take(&mut self.pending);
        let _ = self.jobs.send(Job {
            updates,
            check: true,
        });
    }

    /// Stop the worker after the job it is running.
    pub fn shutdown(&mut self) {
        let (dead, _) = unbounded();
        self.jobs = dead;
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

fn worker(mut project: Project, jobs: Receiver<Job>, events: Sender<Event>) {
    while let Ok(job) = jobs.recv() {
        let mut check = job.check;
        let mut updates = job.updates;
        // Coalesce: whatever queued up while the last check ran is applied at once.
        while let Ok(next) = jobs.try_recv() {
            check |= next.check;
            updates.extend(next.updates);
        }
        for update in updates {
            for note in project.apply(update) {
                let _ = events.send(Event::Log(note));
            }
        }
        if !check {
            continue;
        }
        let started = Instant::now();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| project.check()));
        let event = match outcome {
            Ok(results) => Event::Checked {
                results,
                elapsed: started.elapsed(),
            },
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Event::Log(format!("redis-halint: internal error during check: {what}"))
            }
        };
        if events.send(event).is_err() {
            return;
        }
    }
}
