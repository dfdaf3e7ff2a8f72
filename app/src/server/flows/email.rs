//! The account's address: verified by a link mailed to it (at sign-up, on
//! request, after a change), and changed after re-authentication, with the
//! old address told.

use super::reauthentication::{self, Reauthentication};
use super::{Ctx, InSession, Work};
use crate::error::AppResult;
use crate::model::User;
use crate::server::guards::attempts::{self, Counter};
use crate::server::refusals::Refused;
use crate::server::store::email_links::{self, Purpose};
use crate::server::store::events::SecurityEvent;
use crate::server::store::outbox::{Message, MessageKind};
use crate::server::store::users;
use crate::validate;

/// The account's address and whether it is verified.
pub async fn status(cx: &Ctx<'_>, s: InSession<'_>) -> AppResult<crate::model::EmailStatus> {
    Ok(crate::model::EmailStatus {
        email: s.user.email.clone(),
        verified: users::email_verified(cx.db(), s.user.id).await?,
    })
}

/// A verification link for the account's current address, mailed once `work` commits.
pub(super) async fn send_verification(work: &mut Work<'_>, user: &User) -> AppResult<()> {
    let now = work.now();
    let token = email_links::create(work.tx(), user.id, Purpose::Verify, &user.email, now).await?;
    // Pinned to the address the link proves: if the address changes before the worker
    // sends it, the link must not go to the new one.
    let message = Message::to(user.id, MessageKind::VerifyEmail).at_address(&user.email);
    work.send(message.with_link_token(&token)).await
}

/// The link in the mail: marks the address verified (once; a used,
/// expired or replaced link is refused). Needs no session: the link is
/// opened wherever the mail is read.
pub async fn verify(cx: &Ctx<'_>, token: &str) -> AppResult<()> {
    let mut work = cx.work().await?;
    let Some(link) = email_links::use_once(&mut **work.tx(), token, Purpose::Verify, cx.now).await? else {
        work.abandon().await?;
        return Err(Refused::VerifyLinkGone.into());
    };
    if !users::mark_verified(&mut **work.tx(), link.user_id, &link.email, cx.now).await? {
        work.abandon().await?;
        return Err(Refused::LinkForAnotherAddress.into());
    }
    work.security(link.user_id, SecurityEvent::EmailVerified).await?;
    work.commit().await
}

/// "Send the link again", limited per account.
pub async fn resend(cx: &Ctx<'_>, s: InSession<'_>) -> AppResult<()> {
    if users::email_verified(cx.db(), s.user.id).await? {
        return Err(Refused::AlreadyVerified.into());
    }
    // Counted, sent or not: each one is a mail.
    let _counted = attempts::reserve(cx.db(), Counter::verify_mail(s.user.id), cx.now).await?;
    let mut work = cx.work().await?;
    send_verification(&mut work, s.user).await?;
    work.commit().await
}

/// A new address: the password (and a second factor with 2FA on) first. The
/// new address is unverified until its link is opened; the old one is told.
// `skip_all`: the password never reaches a log line.
#[tracing::instrument(skip_all)]
pub async fn change(cx: &Ctx<'_>, s: InSession<'_>, new_email: &str, proof: Reauthentication) -> AppResult<User> {
    let email = validate::email(new_email)?;
    if email == s.user.email {
        return Err(crate::error::AppError::validation("email", "This is your address already."));
    }
    let proven = reauthentication::password_and_second_factor(cx, s, proof, "to change your email address").await?;
    let mut work = cx.work_proven(proven).await?;
    users::set_email(&mut **work.tx(), s.user.id, &email).await?;
    let user = User { id: s.user.id, name: s.user.name.clone(), email: email.clone() };
    send_verification(&mut work, &user).await?;
    let told =
        Message::to(user.id, MessageKind::EmailChanged).with("new_address", mask(&email)).at_address(&s.user.email);
    work.send(told).await?;
    work.security(user.id, SecurityEvent::EmailChanged).await?;
    work.commit().await?;
    Ok(user)
}

/// "ann@example.com" as "a**@example.com": the old mailbox learns that the
/// address changed, not all of the new one.
pub fn mask(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}{}@{domain}", "*".repeat(local.chars().count().saturating_sub(1).clamp(2, 8)))
        }
        None => "***".into(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_masked_address_keeps_its_first_letter_and_domain() {
        assert_eq!(super::mask("ann@example.com"), "a**@example.com");
        assert_eq!(super::mask("b@example.com"), "b**@example.com");
        assert_eq!(super::mask("bartholomew.long@corp.example"), "b********@corp.example");
    }
}
