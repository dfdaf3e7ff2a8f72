//! Who is signed in, shared by every page through context.

use leptos::prelude::*;

use crate::api::auth::{get_current_user, LogIn, LogOut, SignUp, VerifyLogin};
use crate::api::invitations::AcceptInvitation;
use crate::api::orgs::{my_orgs, CreateOrg, LeaveOrg};
use crate::error::AppError;
use crate::model::{OrgSummary, User};

#[derive(Clone, Copy)]
pub struct Auth {
    pub log_in: ServerAction<LogIn>,
    pub sign_up: ServerAction<SignUp>,
    pub log_out: ServerAction<LogOut>,
    pub verify_login: ServerAction<VerifyLogin>,
    pub create_org: ServerAction<CreateOrg>,
    /// Joining and leaving change the organization list wherever they happen.
    pub accept_invitation: ServerAction<AcceptInvitation>,
    pub leave_org: ServerAction<LeaveOrg>,
    pub user: Resource<Result<Option<User>, AppError>>,
    pub orgs: Resource<Result<Vec<OrgSummary>, AppError>>,
}

impl Auth {
    pub fn new() -> Self {
        let log_in = ServerAction::<LogIn>::new();
        let sign_up = ServerAction::<SignUp>::new();
        let log_out = ServerAction::<LogOut>::new();
        let verify_login = ServerAction::<VerifyLogin>::new();
        let create_org = ServerAction::<CreateOrg>::new();
        let accept_invitation = ServerAction::<AcceptInvitation>::new();
        let leave_org = ServerAction::<LeaveOrg>::new();
        let session_changes = move || {
            (log_in.version().get(), sign_up.version().get(), log_out.version().get(), verify_login.version().get())
        };
        let user = Resource::new(session_changes, |_| get_current_user());
        let orgs = Resource::new(
            move || {
                (
                    session_changes(),
                    create_org.version().get(),
                    accept_invitation.version().get(),
                    leave_org.version().get(),
                )
            },
            |_| async { my_orgs().await },
        );
        Self { log_in, sign_up, log_out, verify_login, create_org, accept_invitation, leave_org, user, orgs }
    }

    /// Re-reads the organization list, after membership changes.
    pub fn refetch_orgs(&self) {
        self.orgs.refetch();
    }
}

impl Default for Auth {
    fn default() -> Self {
        Self::new()
    }
}
