//! The operator's commands: `portcullis operators add|remove|list`, `users
//! reset-password|reset-two-factor`, `orgs add-owner`. Thin: each is a use
//! case (`app::server::flows::operator`), audited and mailed there.

use app::server::flows::{operator, Ctx};
use app::server::store::users;
use app::server::AppState;

use crate::config::{OperatorsCommand, OrgsCommand, UsersCommand};
use crate::error::StartupError;

pub async fn operators(state: &AppState, command: OperatorsCommand) -> Result<(), StartupError> {
    let meta = Default::default();
    let cx = Ctx::new(state, &meta);
    match command {
        OperatorsCommand::Add { email } => {
            let changed = operator::set_operator(&cx, &email, true).await?;
            println!(
                "{}",
                if changed {
                    format!("{email} is now an operator")
                } else {
                    format!("{email} was an operator already")
                }
            );
        }
        OperatorsCommand::Remove { email } => {
            let changed = operator::set_operator(&cx, &email, false).await?;
            println!(
                "{}",
                if changed {
                    format!("{email} is no longer an operator")
                } else {
                    format!("{email} was not an operator")
                }
            );
        }
        OperatorsCommand::List => {
            for email in users::operators(&state.db).await? {
                println!("{email}");
            }
        }
    }
    Ok(())
}

pub async fn users(state: &AppState, command: UsersCommand) -> Result<(), StartupError> {
    let meta = Default::default();
    let cx = Ctx::new(state, &meta);
    match command {
        UsersCommand::ResetPassword { email } => {
            let Some(base) = state.settings.public_url.as_deref() else {
                return Err(StartupError::Config(
                    "the link is built from PORTCULLIS_PUBLIC_URL (--public-url): set it as the server has it".into(),
                ));
            };
            let token = operator::reset_password_link(&cx, &email).await?;
            println!("{base}/reset-password?token={token}");
            eprintln!(
                "Give this link to the account's owner: it works once, for 30 minutes. With 2FA on, its page asks for a code too."
            );
        }
        UsersCommand::ResetTwoFactor { email } => {
            if operator::reset_two_factor(&cx, &email).await? {
                println!("two-factor authentication of {email} is off; every session of theirs has ended");
            } else {
                println!("{email} has no two-factor authentication: nothing changed");
            }
        }
    }
    Ok(())
}

pub async fn orgs(state: &AppState, command: OrgsCommand) -> Result<(), StartupError> {
    let meta = Default::default();
    let cx = Ctx::new(state, &meta);
    match command {
        OrgsCommand::AddOwner { slug, email } => {
            operator::add_owner(&cx, &slug, &email).await?;
            println!("{email} is now an owner of {slug}");
        }
    }
    Ok(())
}
