//! The outbox's worker, next to the clean-up: delivers what committed
//! (`app::server::store::outbox`), a batch at a time, on every instance at once
//! (each row is claimed by one worker). One worker per way out: mail through
//! SMTP (`mail::SmtpDeliverer`), texted codes through the SMS gateway
//! (`sms::SmsDeliverer`); each takes only its own channel's messages.

use std::sync::Arc;
use std::time::Duration;

use app::server::store::outbox::{self, Channel, Deliverer};
use app::server::AppState;
use rand::RngCore;

/// Messages delivered per round; the next round comes at once when a batch was full.
const BATCH: i64 = 50;

/// This process's name in the outbox's claims.
fn worker_name() -> String {
    let mut bytes = [0u8; 6];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("worker-{}-{}", std::process::id(), hex::encode(bytes))
}

pub fn spawn(state: AppState, (channel, deliverer): (Channel, Arc<dyn Deliverer>), every: Duration) {
    let worker = worker_name();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            // Bounded: a full batch is followed by another, at most ten before the next tick.
            for _ in 0..10 {
                let round =
                    outbox::deliver_due(&state.db, (state.clock.now(), &worker), (channel, deliverer.as_ref()), BATCH);
                match round.await {
                    Ok(round) if round.delivered + round.failed == BATCH as usize => continue,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "outbox delivery failed");
                        break;
                    }
                }
            }
        }
    });
}

/// Why an HTTP delivery failed, in words that never carry its URL (which may
/// name an account or a query the other side keeps private).
pub fn request_failure(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "the request failed"
    }
}
