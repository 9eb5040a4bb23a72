//! `--debug`: the library's tracing events, one line each on stderr.
//!
//! The events are few and flat (no spans are opened anywhere in the
//! workspace), so a small subscriber does what `tracing-subscriber`'s
//! formatter did here, without its registry and span storage: the command
//! must stay small (see BENCHMARKS.md, "The command").
//!
//! Nothing secret reaches these lines: the library logs request ids,
//! attempts, endpoints and provider names, never keys or tokens.

use std::fmt::{self, Write as _};
use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use tracing::field::{Field, Visit};
use tracing::span;
use tracing::{Event, Level, Metadata, Subscriber};

/// Sends every event at DEBUG or above to stderr from now on.
pub fn install() {
    // Only fails when a subscriber is already set, which `main` never does.
    let _ = tracing::subscriber::set_global_default(StderrLog {
        next_span: AtomicU64::new(1),
    });
}

struct StderrLog {
    next_span: AtomicU64,
}

impl Subscriber for StderrLog {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= Level::DEBUG
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::DEBUG)
    }

    // Spans are not shown; they still need distinct ids.
    fn new_span(&self, _span: &span::Attributes<'_>) -> span::Id {
        span::Id::from_u64(self.next_span.fetch_add(1, Ordering::Relaxed))
    }

    fn record(&self, _span: &span::Id, _values: &span::Record<'_>) {}

    fn record_follows_from(&self, _span: &span::Id, _follows: &span::Id) {}

    fn event(&self, event: &Event<'_>) {
        let line = render(
            event,
            awssts::DateTime::from_system_time(std::time::SystemTime::now()),
        );
        // A closed stderr loses the log, never the command's result.
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }

    fn enter(&self, _span: &span::Id) {}

    fn exit(&self, _span: &span::Id) {}
}

/// `TIME LEVEL target: message key=value …`, newline-terminated.
fn render(event: &Event<'_>, now: awssts::DateTime) -> String {
    let meta = event.metadata();
    let mut line = String::with_capacity(128);
    let _ = write!(line, "{now} {:>5} {}:", meta.level(), meta.target());
    let mut fields = Fields {
        message: String::new(),
        rest: String::new(),
    };
    event.record(&mut fields);
    if !fields.message.is_empty() {
        line.push(' ');
        line.push_str(&fields.message);
    }
    line.push_str(&fields.rest);
    line.push('\n');
    line
}

struct Fields {
    message: String,
    rest: String,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.record_debug(field, &format_args!("{value}"));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.rest, " {}={value:?}", field.name());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// Captures rendered lines instead of writing them to stderr.
    struct Capture(Arc<Mutex<Vec<String>>>);

    impl Subscriber for Capture {
        fn enabled(&self, metadata: &Metadata<'_>) -> bool {
            *metadata.level() <= Level::DEBUG
        }
        fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
            span::Id::from_u64(1)
        }
        fn record(&self, _: &span::Id, _: &span::Record<'_>) {}
        fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}
        fn event(&self, event: &Event<'_>) {
            let now = awssts::DateTime::parse("2026-12-05T12:00:00Z").expect("valid time");
            self.0
                .lock()
                .expect("not poisoned")
                .push(render(event, now));
        }
        fn enter(&self, _: &span::Id) {}
        fn exit(&self, _: &span::Id) {}
    }

    #[test]
    fn one_line_with_time_level_target_message_and_fields() {
        let lines = Arc::new(Mutex::new(Vec::new()));
        tracing::subscriber::with_default(Capture(lines.clone()), || {
            let id = "req-1";
            tracing::debug!(
                request_id = id,
                attempts = 2u32,
                "GetCallerIdentity succeeded"
            );
            tracing::warn!(path = %"/tmp/x", "cannot write the cache");
            tracing::trace!("not shown");
        });
        let lines = lines.lock().expect("not poisoned");
        assert_eq!(
            lines.as_slice(),
            [
                "2026-12-05T12:00:00Z DEBUG awssts::debug_log::tests: GetCallerIdentity succeeded request_id=req-1 attempts=2\n",
                "2026-12-05T12:00:00Z  WARN awssts::debug_log::tests: cannot write the cache path=/tmp/x\n",
            ]
        );
    }
}
