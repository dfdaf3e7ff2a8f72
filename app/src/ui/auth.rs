//! Who is signed in, shared by every page through context.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{OrgSummary, User};
use crate::server_fns::auth::get_current_user;
use crate::server_fns::orgs::my_orgs;

/// Read once per page on the server: every change is a form post after which
/// the next page is rendered afresh. Actions are made by the page that has the
/// form, inside the routes, where they see the error a post came back with.
#[derive(Clone, Copy)]
pub struct Auth {
    pub user: Resource<Result<Option<User>, AppError>>,
    pub orgs: Resource<Result<Vec<OrgSummary>, AppError>>,
}

impl Auth {
    pub fn new() -> Self {
        Self { user: Resource::new(|| (), |_| get_current_user()), orgs: Resource::new(|| (), |_| my_orgs()) }
    }
}

impl Default for Auth {
    fn default() -> Self {
        Self::new()
    }
}
