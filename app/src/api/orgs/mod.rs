mod add_member;
mod change_role;
mod create_org;
mod my_orgs;
mod load_org;
mod remove_member;

pub use add_member::*;
pub use change_role::*;
pub use create_org::*;
pub use my_orgs::*;
pub use load_org::*;
pub use remove_member::*;
