//! The table of throughput and latencies, and the verdict against the targets.

use super::*;

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Nearest-rank percentile of sorted samples; zero when there are none.
pub(crate) fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub(crate) struct Report<'a> {
    pub(crate) tally: &'a Tally,
    pub(crate) elapsed: Duration,
    pub(crate) page_paths: &'a [String],
    pub(crate) argon2: &'a Argon2Figures,
    /// No page loads in the mix: the logins' target is higher.
    pub(crate) logins_only: bool,
}

/// One line of the table: the samples of one or more kinds together.
pub(crate) struct Row {
    pub(crate) label: String,
    pub(crate) ok: Vec<Duration>,
    pub(crate) errors: usize,
}

impl Report<'_> {
    pub(crate) fn row(&self, label: impl Into<String>, kinds: impl Fn(&Kind) -> bool) -> Row {
        let mut ok = Vec::new();
        let mut errors = 0;
        for (_, samples) in self.tally.by_kind.iter().filter(|(k, _)| kinds(k)) {
            ok.extend_from_slice(&samples.ok);
            errors += samples.error_count();
        }
        ok.sort();
        Row { label: label.into(), ok, errors }
    }

    pub(crate) fn pages(&self) -> Row {
        self.row("pages (all)", |k| matches!(k, Kind::Page(_)))
    }

    /// Successful logins per second: each cost the server one argon2 verify.
    pub(crate) fn logins(&self) -> f64 {
        let logins = self.row("", |k| matches!(k, Kind::PasswordLogin | Kind::SecondFactorLogin));
        logins.ok.len() as f64 / self.elapsed.as_secs_f64()
    }

    pub(crate) fn print(&self) {
        let secs = self.elapsed.as_secs_f64();
        println!("\nran {secs:.1} s; latencies of successful requests");
        println!("{:<24} {:>7} {:>8} {:>9} {:>9} {:>9} {:>7}", "kind", "ok", "per s", "p50", "p99", "max", "errors");
        let mut rows: Vec<Row> = self
            .page_paths
            .iter()
            .enumerate()
            .map(|(i, path)| self.row(format!("page {path}"), |k| *k == Kind::Page(i)))
            .collect();
        rows.push(self.pages());
        rows.push(self.row("password login", |k| *k == Kind::PasswordLogin));
        rows.push(self.row("2FA login (2 requests)", |k| *k == Kind::SecondFactorLogin));
        rows.push(self.row("total", |_| true));
        for row in rows {
            println!(
                "{:<24} {:>7} {:>8.1} {:>9} {:>9} {:>9} {:>7}",
                row.label,
                row.ok.len(),
                row.ok.len() as f64 / secs,
                ms(percentile(&row.ok, 0.5)),
                ms(percentile(&row.ok, 0.99)),
                ms(row.ok.last().copied().unwrap_or_default()),
                row.errors
            );
        }
        if !self.tally.pool_wait.is_zero() {
            println!(
                "2FA account pool ran dry: workers waited {:.1} s in total (not errors; seed more with --two-factor-users)",
                self.tally.pool_wait.as_secs_f64()
            );
        }
        self.print_errors();
        let limit = self.argon2.limit_per_sec();
        let logins = self.logins();
        println!(
            "\nlogins: {logins:.1}/s = {:.1} % of the argon2 limit ({} cores / {} = {limit:.1}/s)",
            100.0 * logins / limit,
            self.argon2.cores,
            ms(self.argon2.median)
        );
        // Cores hashing at once share caches and memory bandwidth (19 MiB each),
        // so they rarely reach `cores` times the one-at-a-time rate.
        println!(
            "        = {:.1} % of what {} verifies at once achieved alone ({:.1}/s)",
            100.0 * logins / self.argon2.parallel_per_sec,
            self.argon2.cores,
            self.argon2.parallel_per_sec
        );
    }

    pub(crate) fn print_errors(&self) {
        let mut errors: Vec<(&String, &(usize, String))> =
            self.tally.by_kind.values().flat_map(|s| s.errors.iter()).collect();
        if errors.is_empty() {
            return;
        }
        errors.sort_by_key(|(_, (count, _))| std::cmp::Reverse(*count));
        println!("errors:");
        for (key, (count, example)) in errors.iter().take(8) {
            println!("  {count:>6} x {key}: {example}");
        }
    }

    /// Prints each target as met or missed; returns whether no request failed.
    pub(crate) fn print_verdict(&self) -> bool {
        let errors = self.row("", |_| true).errors;
        let share = self.logins() / self.argon2.limit_per_sec();
        let page_p99 = percentile(&self.pages().ok, 0.99);
        let mark = |met: bool| if met { "met   " } else { "MISSED" };
        let target = if self.logins_only { TARGET_SHARE_OF_LIMIT_LOGINS_ONLY } else { TARGET_SHARE_OF_LIMIT_MIXED };
        println!("\ntargets:");
        println!("  {} no errors ({errors})", mark(errors == 0));
        println!(
            "  {} logins >= {:.0} % of the argon2 limit ({:.1} %)",
            mark(share >= target),
            target * 100.0,
            share * 100.0
        );
        if !self.logins_only {
            println!("  {} page p99 < {} ({})", mark(page_p99 < TARGET_PAGE_P99), ms(TARGET_PAGE_P99), ms(page_p99));
        }
        errors == 0
    }
}
