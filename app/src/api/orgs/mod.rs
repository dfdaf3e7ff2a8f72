mod add_member;
mod change_role;
mod create_org;
mod my_orgs;
mod load_org;
mod load_org_settings;
mod remove_member;
mod reset_member_two_factor;
mod set_two_factor_requirement;

pub use add_member::*;
pub use change_role::*;
pub use create_org::*;
pub use my_orgs::*;
pub use load_org::*;
pub use load_org_settings::*;
pub use remove_member::*;
pub use reset_member_two_factor::*;
pub use set_two_factor_requirement::*;
