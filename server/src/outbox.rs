//! The outbox's worker, next to the clean-up: delivers what committed
//! (`app::server::store::outbox`), a batch at a time, on every instance at once
//! (each row is claimed by one worker). Mail goes through SMTP
//! (`mail::SmtpDeliverer`); SMS will plug in behind the same trait.

use std::sync::Arc;
use std::time::Duration;

use app::server::store::outbox::{self, Deliverer};
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

pub fn spawn(state: AppState, deliverer: Arc<dyn Deliverer>, every: Duration) {
    let worker = worker_name();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            // Bounded: a full batch is followed by another, at most ten before the next tick.
            for _ in 0..10 {
                match outbox::deliver_due(&state.db, state.clock.now(), &worker, deliverer.as_ref(), BATCH).await {
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
