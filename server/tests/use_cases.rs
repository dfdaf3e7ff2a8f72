//! Use cases called in process on a throwaway database (SQLite, and
//! PostgreSQL when present), without starting the binary: the refusals in
//! their typed form, and what a failure in the middle of a use case leaves
//! behind (nothing: the change and its log row commit together or not at all).

mod common;

use app::error::AppError;
use app::model::{Role, User};
use app::policy::Refusal;
use app::server::db::PoolSettings;
use app::server::flows::account::{self, NewAccount};
use app::server::flows::backup_codes::{self, Reauthentication};
use app::server::flows::orgs::{self, NewOrg};
use app::server::flows::{enrollment, invitations, two_factor, Ctx, InOrg, InSession};
use app::server::refusals::{LastOwnerWrite, Refused};
use app::server::store::events::RequestMeta;
use app::server::store::outbox::{self, Channel, Deliverer, Delivery, DeliveryError, Message, MessageKind, Outgoing};
use app::server::{store::credentials, store::sessions, store::users, AppState, Clock, PasswordHasher, Settings};
use app::twofactor::secret_box::Keys;
use app::twofactor::totp::{step_of, TotpSecret};
use common::{Backend, TestDatabase, PASSWORD};
use std::collections::HashMap;
use std::sync::Mutex;

struct World {
    state: AppState,
    meta: RequestMeta,
    _database: TestDatabase,
    backend: Backend,
}

/// A signed-up person with a live session.
struct Person {
    user: User,
    session_hash: String,
}

impl Person {
    fn in_session(&self) -> InSession<'_> {
        InSession { user: &self.user, session_hash: &self.session_hash }
    }
}

impl World {
    async fn new(backend: Backend) -> Self {
        let database = TestDatabase::create(backend).await;
        // One SQLite connection: a trigger created or dropped on one pooled connection was
        // seen late by another in this test (schema changes are not what the app does).
        let max_connections = if backend == Backend::Sqlite { 1 } else { 10 };
        let pool = PoolSettings { max_connections, ..PoolSettings::default() };
        let db = app::server::db::connect(&database.url, &pool).await.unwrap();
        let hasher = PasswordHasher::new(1).unwrap();
        let state = AppState::new(db, hasher, Clock::System, Settings::default(), Keys::new(&[7; 32]));
        World { state, meta: RequestMeta::default(), _database: database, backend }
    }

    fn cx(&self) -> Ctx<'_> {
        Ctx::new(&self.state, &self.meta)
    }

    async fn person(&self, name: &str) -> Person {
        let input = NewAccount {
            name: name.to_string(),
            email: format!("{}@example.com", name.to_lowercase()),
            password: PASSWORD.to_string(),
        };
        let (user, session) = account::sign_up(&self.cx(), input).await.unwrap();
        // As if the verification mail had gone out and its link been opened
        // (account_lifecycle.rs does it for real): the outbox tests count their own messages.
        let now = self.state.clock.now();
        users::mark_verified(&self.state.db, user.id, &user.email, now).await.unwrap();
        sqlx::query("UPDATE outbox SET delivered_at = $1 WHERE user_id = $2")
            .bind(now)
            .bind(user.id)
            .execute(&self.state.db)
            .await
            .unwrap();
        Person { user, session_hash: sessions::token_hash(&session.token) }
    }

    /// Turns 2FA on through the three enrollment steps; the session gets a fresh id.
    async fn enroll(&self, person: &mut Person) -> TotpSecret {
        let secret = enrollment::start(&self.cx(), person.in_session(), None, None).await.unwrap();
        let code = self.code(&secret, 0);
        enrollment::check_code(&self.cx(), person.in_session(), &code).await.unwrap();
        let session = enrollment::finish(&self.cx(), person.in_session()).await.unwrap();
        person.session_hash = sessions::token_hash(&session.token);
        secret
    }

    /// The app's code `steps` time steps from now (the enrollment used the current one).
    fn code(&self, secret: &TotpSecret, steps: i64) -> String {
        secret.code_at_step(step_of(self.state.clock.now()) + steps, 6)
    }

    /// Makes every insert into `table` fail, as a full disk or a lost connection would.
    async fn break_inserts_into(&self, table: &str) {
        let sql = match self.backend {
            Backend::Sqlite => format!(
                "CREATE TRIGGER broken_{table} BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
            ),
            Backend::Postgres => format!(
                "CREATE OR REPLACE FUNCTION injected_failure() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql; \
                 CREATE TRIGGER broken_{table} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION injected_failure()"
            ),
        };
        sqlx::raw_sql(&sql).execute(&self.state.db).await.unwrap();
    }

    async fn repair_inserts_into(&self, table: &str) {
        let sql = match self.backend {
            Backend::Sqlite => format!("DROP TRIGGER broken_{table}"),
            Backend::Postgres => format!("DROP TRIGGER broken_{table} ON {table}"),
        };
        sqlx::raw_sql(&sql).execute(&self.state.db).await.unwrap();
    }

    async fn count(&self, sql: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&self.state.db).await.unwrap();
        n
    }
}

fn reauthentication(code: String) -> Reauthentication {
    Reauthentication { password: PASSWORD.to_string(), code }
}

async fn a_failed_security_log_write_leaves_two_factor_on_and_the_code_unused(backend: Backend) {
    let world = World::new(backend).await;
    let mut ann = world.person("Ann").await;
    let secret = world.enroll(&mut ann).await;
    let code = world.code(&secret, 1);

    world.break_inserts_into("security_events").await;
    let failed = two_factor::disable(&world.cx(), ann.in_session(), reauthentication(code.clone())).await;
    assert_eq!(failed.unwrap_err(), AppError::Internal);
    assert!(credentials::is_enabled(&world.state.db, ann.user.id).await.unwrap(), "2FA is still on");
    let live = world.count("SELECT COUNT(*) FROM sessions").await;
    assert_eq!(live, 1, "the session was neither replaced nor ended");

    // Nothing was used up: once the log can be written, the same code works.
    world.repair_inserts_into("security_events").await;
    two_factor::disable(&world.cx(), ann.in_session(), reauthentication(code)).await.unwrap();
    assert!(!credentials::is_enabled(&world.state.db, ann.user.id).await.unwrap());
}

async fn a_failed_log_write_keeps_the_old_backup_codes(backend: Backend) {
    let world = World::new(backend).await;
    let mut ann = world.person("Ann").await;
    let secret = world.enroll(&mut ann).await;
    let before = credentials::backup_codes(&world.state.db, &world.state.keys, ann.user.id).await.unwrap();

    world.break_inserts_into("security_events").await;
    let failed =
        backup_codes::regenerate(&world.cx(), ann.in_session(), reauthentication(world.code(&secret, 1))).await;
    assert_eq!(failed.unwrap_err(), AppError::Internal);
    let after = credentials::backup_codes(&world.state.db, &world.state.keys, ann.user.id).await.unwrap();
    assert_eq!(before, after, "the old codes still count");
}

async fn a_failed_log_write_finishes_no_enrollment(backend: Backend) {
    let world = World::new(backend).await;
    let ann = world.person("Ann").await;
    let secret = enrollment::start(&world.cx(), ann.in_session(), None, None).await.unwrap();
    enrollment::check_code(&world.cx(), ann.in_session(), &world.code(&secret, 0)).await.unwrap();

    world.break_inserts_into("security_events").await;
    assert_eq!(enrollment::finish(&world.cx(), ann.in_session()).await.unwrap_err(), AppError::Internal);
    assert!(!credentials::is_enabled(&world.state.db, ann.user.id).await.unwrap(), "2FA stays off");

    // The enrollment and the session survived: "I've Saved my Codes" works once the log does.
    world.repair_inserts_into("security_events").await;
    enrollment::finish(&world.cx(), ann.in_session()).await.unwrap();
    assert!(credentials::is_enabled(&world.state.db, ann.user.id).await.unwrap());
}

async fn a_failed_audit_write_changes_no_membership(backend: Backend) {
    let world = World::new(backend).await;
    let (owner, bob) = (world.person("Olivia").await, world.person("Bob").await);
    let org =
        orgs::create(&world.cx(), &owner.user, NewOrg { name: "Acme".into(), slug: "acme".into() }).await.unwrap();
    let m = InOrg { user: &owner.user, org: &org, session_hash: None };
    let code = orgs::invite(&world.cx(), m, &bob.user.email, "member").await.unwrap().code;
    let (invitation_id,): (i64,) =
        sqlx::query_as("SELECT id FROM invitations").fetch_one(&world.state.db).await.unwrap();

    world.break_inserts_into("audit_events").await;
    let accepted = invitations::accept(&world.cx(), &bob.user, invitation_id, &code).await;
    assert_eq!(accepted.unwrap_err(), AppError::Internal);
    assert_eq!(world.count("SELECT COUNT(*) FROM memberships").await, 1, "Bob did not join");
    assert_eq!(world.count("SELECT COUNT(*) FROM invitations").await, 1, "the invitation is still there");

    world.repair_inserts_into("audit_events").await;
    invitations::accept(&world.cx(), &bob.user, invitation_id, &code).await.unwrap();
    world.break_inserts_into("audit_events").await;
    let changed = orgs::change_role(&world.cx(), m, bob.user.id, "admin").await;
    assert_eq!(changed.unwrap_err(), AppError::Internal);
    let removed = orgs::remove_member(&world.cx(), m, bob.user.id).await;
    assert_eq!(removed.unwrap_err(), AppError::Internal);
    let role: (String,) = sqlx::query_as("SELECT role FROM memberships WHERE user_id = $1")
        .bind(bob.user.id)
        .fetch_one(&world.state.db)
        .await
        .unwrap();
    assert_eq!(role.0, "member", "Bob is still a plain member");
}

async fn an_organization_is_created_with_its_audit_row_or_not_at_all(backend: Backend) {
    let world = World::new(backend).await;
    let owner = world.person("Olivia").await;
    let acme = || NewOrg { name: "Acme".into(), slug: "acme".into() };
    world.break_inserts_into("audit_events").await;
    assert_eq!(orgs::create(&world.cx(), &owner.user, acme()).await.unwrap_err(), AppError::Internal);
    assert_eq!(world.count("SELECT COUNT(*) FROM organizations").await, 0);
    world.repair_inserts_into("audit_events").await;
    orgs::create(&world.cx(), &owner.user, acme()).await.unwrap();
    assert_eq!(world.count("SELECT COUNT(*) FROM audit_events WHERE kind = 'org_created'").await, 1);
}

async fn a_failed_session_write_creates_no_account(backend: Backend) {
    let world = World::new(backend).await;
    world.break_inserts_into("sessions").await;
    let input = NewAccount { name: "Ann".into(), email: "ann@example.com".into(), password: PASSWORD.into() };
    assert_eq!(account::sign_up(&world.cx(), input).await.unwrap_err(), AppError::Internal);
    assert_eq!(world.count("SELECT COUNT(*) FROM users").await, 0, "no account without its session");
}

async fn refusals_come_back_typed(backend: Backend) {
    let world = World::new(backend).await;
    let (owner, bob) = (world.person("Olivia").await, world.person("Bob").await);
    let cx = world.cx();
    let acme = NewOrg { name: "Acme".into(), slug: "acme".into() };
    let org = orgs::create(&cx, &owner.user, acme).await.unwrap();
    let taken = orgs::create(&cx, &bob.user, NewOrg { name: "Other".into(), slug: "acme".into() }).await;
    assert_eq!(taken.unwrap_err(), Refused::SlugTaken { slug: "acme".into() }.into());

    let m = InOrg { user: &owner.user, org: &org, session_hash: None };
    let myself = orgs::invite(&cx, m, &owner.user.email, "member").await;
    assert_eq!(myself.unwrap_err(), Refused::AlreadyMember { email: Some(owner.user.email.clone()) }.into());
    let demoted = orgs::change_role(&cx, m, owner.user.id, Role::Admin.as_str()).await;
    assert_eq!(demoted.unwrap_err(), Refused::LastOwner(LastOwnerWrite::Demote).into());
    let stranger = orgs::remove_member(&cx, m, bob.user.id).await;
    assert_eq!(stranger.unwrap_err(), Refused::NotAMember.into());
    let required = orgs::set_requirement(
        &cx,
        m,
        orgs::RequirementInput { require: true, grace_days: 0, password: String::new(), code: String::new() },
    )
    .await;
    assert_eq!(required.unwrap_err(), Refusal::MustEnrollFirst(vec![owner.user.clone()]).into());
    let disabled = two_factor::disable(&cx, bob.in_session(), reauthentication("123456".into())).await;
    assert_eq!(disabled.unwrap_err(), Refused::TwoFactorOff.into());
}

on_both_backends!(
    a_failed_security_log_write_leaves_two_factor_on_and_the_code_unused,
    a_failed_log_write_keeps_the_old_backup_codes,
    a_failed_log_write_finishes_no_enrollment,
    a_failed_audit_write_changes_no_membership,
    a_failed_session_write_creates_no_account,
    an_organization_is_created_with_its_audit_row_or_not_at_all,
    refusals_come_back_typed,
    a_message_is_sent_only_for_a_change_that_committed,
    two_workers_deliver_each_message_once,
    a_failed_delivery_is_retried_later_and_given_up_in_the_end,
);

/// A deliverer that remembers what it was given, and fails while told to.
#[derive(Default)]
struct Recorder {
    delivered: Mutex<Vec<(i64, MessageKind)>>,
    failures_left: Mutex<u32>,
}

impl Deliverer for Recorder {
    fn deliver<'a>(&'a self, message: &'a Outgoing) -> Delivery<'a> {
        Box::pin(async move {
            // A real deliverer waits on the network: let another worker run meanwhile.
            tokio::task::yield_now().await;
            let mut failures = self.failures_left.lock().unwrap();
            if *failures > 0 {
                *failures -= 1;
                return Err(DeliveryError("the mail server said 451".into()));
            }
            self.delivered.lock().unwrap().push((message.id, message.kind));
            Ok(())
        })
    }
}

impl Recorder {
    fn kinds(&self) -> Vec<MessageKind> {
        self.delivered.lock().unwrap().iter().map(|(_, kind)| *kind).collect()
    }
}

async fn a_message_is_sent_only_for_a_change_that_committed(backend: Backend) {
    let world = World::new(backend).await;
    let mut ann = world.person("Ann").await;
    let secret = world.enroll(&mut ann).await;
    // The change fails after its message was written: both roll back.
    world.break_inserts_into("security_events").await;
    let failed = two_factor::disable(&world.cx(), ann.in_session(), reauthentication(world.code(&secret, 1))).await;
    assert_eq!(failed.unwrap_err(), AppError::Internal);
    world.repair_inserts_into("security_events").await;
    // The message itself cannot be written: the change rolls back with it.
    world.break_inserts_into("outbox").await;
    let failed = two_factor::disable(&world.cx(), ann.in_session(), reauthentication(world.code(&secret, 1))).await;
    assert_eq!(failed.unwrap_err(), AppError::Internal);
    assert!(credentials::is_enabled(&world.state.db, ann.user.id).await.unwrap(), "2FA stays on");
    world.repair_inserts_into("outbox").await;
    two_factor::disable(&world.cx(), ann.in_session(), reauthentication(world.code(&secret, 1))).await.unwrap();

    let recorder = Recorder::default();
    let now = world.state.clock.now();
    let round = outbox::deliver_due(&world.state.db, (now, "w1"), (Channel::Mail, &recorder), 50).await.unwrap();
    assert_eq!(recorder.kinds(), [MessageKind::TwoFactorTurnedOn, MessageKind::TwoFactorTurnedOff]);
    assert_eq!((round.delivered, round.failed), (2, 0));
    let again = outbox::deliver_due(&world.state.db, (now + 3600, "w1"), (Channel::Mail, &recorder), 50).await.unwrap();
    assert_eq!(again.delivered, 0, "delivered messages are not sent again");
}

async fn two_workers_deliver_each_message_once(backend: Backend) {
    let world = World::new(backend).await;
    let ann = world.person("Ann").await;
    let now = world.state.clock.now();
    for _ in 0..40 {
        let message = Message::to(ann.user.id, MessageKind::BackupCodesRegenerated);
        outbox::enqueue(&world.state.db, &world.state.keys, &message, now).await.unwrap();
    }
    let recorder = Recorder::default();
    let db = &world.state.db;
    // Small batches, many rounds, two workers at once: every round races the other worker.
    for _ in 0..40 {
        let (a, b) = tokio::join!(
            outbox::deliver_due(db, (now, "worker-a"), (Channel::Mail, &recorder), 3),
            outbox::deliver_due(db, (now, "worker-b"), (Channel::Mail, &recorder), 3),
        );
        if a.unwrap().delivered + b.unwrap().delivered == 0 {
            break;
        }
    }
    let delivered = recorder.delivered.lock().unwrap().clone();
    let mut times: HashMap<i64, usize> = HashMap::new();
    for (id, _) in &delivered {
        *times.entry(*id).or_default() += 1;
    }
    assert_eq!(times.len(), 40, "every message delivered");
    assert!(times.values().all(|n| *n == 1), "none twice: {times:?}");
    assert_eq!(world.count("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").await, 0);
}

async fn a_failed_delivery_is_retried_later_and_given_up_in_the_end(backend: Backend) {
    let world = World::new(backend).await;
    let ann = world.person("Ann").await;
    let db = &world.state.db;
    let now = world.state.clock.now();
    outbox::enqueue(db, &world.state.keys, &Message::to(ann.user.id, MessageKind::TwoFactorTurnedOff), now)
        .await
        .unwrap();
    let recorder = Recorder { failures_left: Mutex::new(1), ..Recorder::default() };
    let round = outbox::deliver_due(db, (now, "w"), (Channel::Mail, &recorder), 10).await.unwrap();
    assert_eq!((round.delivered, round.failed), (0, 1));
    let early = outbox::deliver_due(
        db,
        (now + outbox::backoff_secs(MessageKind::PasswordReset, 1) - 1, "w"),
        (Channel::Mail, &recorder),
        10,
    )
    .await
    .unwrap();
    assert_eq!(early, outbox::Round::default(), "not before the backoff");
    let later = outbox::deliver_due(
        db,
        (now + outbox::backoff_secs(MessageKind::PasswordReset, 1), "w"),
        (Channel::Mail, &recorder),
        10,
    )
    .await
    .unwrap();
    assert_eq!(later.delivered, 1, "retried after the backoff");
    assert_eq!(recorder.kinds(), [MessageKind::TwoFactorTurnedOff]);

    // A message that never goes through is given up after the last attempt, and kept for a while.
    outbox::enqueue(db, &world.state.keys, &Message::to(ann.user.id, MessageKind::TwoFactorReset), now).await.unwrap();
    *recorder.failures_left.lock().unwrap() = u32::MAX;
    let mut at = now;
    for _ in 0..outbox::MAX_ATTEMPTS {
        outbox::deliver_due(db, (at, "w"), (Channel::Mail, &recorder), 10).await.unwrap();
        at += 3600;
    }
    let sql = "SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL AND last_error = 'the mail server said 451'";
    assert_eq!(world.count(sql).await, 1);
    let gone = outbox::deliver_due(db, (at + 86_400, "w"), (Channel::Mail, &recorder), 10).await.unwrap();
    assert_eq!(gone, outbox::Round::default(), "given up: not tried again");
    // These two, and the sign-up's verification mail (settled by `World::person`).
    assert_eq!(outbox::delete_settled(db, at + outbox::KEEP_SETTLED_SECS + 1).await.unwrap(), 3);
}
