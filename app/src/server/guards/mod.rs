//! What limits and checks attempts: the allowances counted in the database
//! (`attempts`, `login_attempts`), the second-factor challenge every use
//! case settles (`second_factor`), the per-address limits kept in memory
//! (`start_limiter`) by address (`client_ip`), and whether a member meets an
//! organization's 2FA requirement (`compliance`), and what the codes tell
//! of the server's clock (`clock_skew`).

pub mod attempts;
pub mod client_ip;
pub mod clock_skew;
pub mod compliance;
pub mod login_attempts;
pub mod second_factor;
pub mod start_limiter;
