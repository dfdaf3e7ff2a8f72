//! OpenID Connect Back-Channel Logout 1.0: when a user's Portcullis session
//! ends (logout, "Sign out" on a session, "Sign out everywhere else"), when
//! every session ends (an admin's 2FA reset, a password reset) or when they
//! revoke an application, each application with a back-channel logout URI
//! that holds a sign-in of theirs gets a logout token. The messages are
//! written in the transaction of the change (`Work::send`), so a change that
//! rolls back tells no one; the outbox posts them with retries.

use rand::RngCore;
use sqlx::Row;

use super::{Ctx, Issuer};
use crate::error::AppResult;
use crate::oidc::claims::logout_token_claims;
use crate::server::flows::work::Work;
use crate::server::store::oidc::{clients, keys};
use crate::server::store::outbox::{DeliveryError, Message, MessageKind, Outgoing};

/// Which of a user's sign-ins to applications ended.
#[derive(Debug, Clone, Copy)]
pub enum Ended<'a> {
    /// Those made in the session with this public id.
    Session(&'a str),
    /// Those of every session but this one ("Sign out everywhere else").
    AllBut(&'a str),
    /// All of them.
    Every,
    /// Those of one application (its row id): the user revoked it.
    Application(i64),
}

/// Queues a logout token for each application (and session) that `ended`
/// touches and that asked for them. Call it before the grants are deleted.
pub async fn notify(work: &mut Work<'_>, user_id: i64, ended: Ended<'_>) -> AppResult<()> {
    let (filter, value) = match ended {
        Ended::Session(sid) => ("AND g.sid = $2", Some(sid.to_string())),
        Ended::AllBut(sid) => ("AND (g.sid IS NULL OR g.sid <> $2)", Some(sid.to_string())),
        Ended::Every => ("AND $2 IS NULL", None),
        Ended::Application(client) => ("AND g.client_id = CAST($2 AS BIGINT)", Some(client.to_string())),
    };
    let sql = format!(
        "SELECT DISTINCT g.client_id, g.sid FROM oidc_grants g JOIN oidc_clients c ON c.id = g.client_id \
         WHERE g.user_id = $1 AND c.backchannel_logout_uri IS NOT NULL AND c.disabled = 0 {filter} \
         ORDER BY g.client_id"
    );
    let rows = sqlx::query(&sql).bind(user_id).bind(value).fetch_all(&mut **work.tx()).await?;
    for row in rows {
        let client: i64 = row.try_get("client_id")?;
        let sid: Option<String> = row.try_get("sid")?;
        let mut message = Message::to(user_id, MessageKind::BackchannelLogout).with("client", client);
        if let Some(sid) = sid {
            message = message.with("sid", sid);
        }
        work.send(message).await?;
    }
    Ok(())
}

/// Where a queued logout goes and the token to post there, signed now with
/// the application's algorithm; `None` when there is nowhere to send it any
/// more (the application was deleted, disabled or dropped its URI).
pub async fn logout_token(cx: &Ctx<'_>, message: &Outgoing) -> Result<Option<(String, String)>, DeliveryError> {
    let failed = |why: &str| DeliveryError(why.to_string());
    let client = message.params.get("client").and_then(serde_json::Value::as_i64).ok_or_else(|| failed("no client"))?;
    let client = clients::find_by_id(&cx.state.db, client).await.map_err(|_| failed("the database"))?;
    let Some(client) = client.filter(|c| !c.disabled) else { return Ok(None) };
    let Some(uri) = client.backchannel_logout_uri.clone() else { return Ok(None) };
    let issuer = cx.issuer().map_err(|_| failed("no issuer"))?;
    let mut jti = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut jti);
    let sid = message.params.get("sid").and_then(serde_json::Value::as_str);
    let claims =
        logout_token_claims(issuer, &client.client_id, &message.user_id.to_string(), sid, (cx.now, &hex::encode(jti)));
    let key = keys::current(&cx.state.db, &cx.state.keys, client.id_token_alg, cx.now)
        .await
        .map_err(|_| failed("no signing key"))?;
    let token = key.sign_typed("logout+jwt", &claims).ok_or_else(|| failed("could not sign"))?;
    Ok(Some((uri, token)))
}
