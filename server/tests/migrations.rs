//! The SQLite and PostgreSQL migrations are written twice, once per dialect:
//! after running them, both databases must declare the same tables and columns.

mod common;

use common::{Backend, TestServer};
use std::collections::BTreeSet;

type Columns = BTreeSet<(String, String)>;

async fn columns(server: &TestServer, sql: &str) -> Columns {
    let rows: Vec<(String, String)> = sqlx::query_as(sql).fetch_all(&server.db().await).await.expect("schema query");
    rows.into_iter().filter(|(table, _)| !table.starts_with("_sqlx")).collect()
}

#[tokio::test]
async fn sqlite_and_postgres_migrations_declare_the_same_tables_and_columns() {
    let Some(postgres) = Backend::postgres() else { return };
    let sqlite = TestServer::start(Backend::Sqlite).await;
    let postgres = TestServer::start(postgres).await;
    let on_sqlite = columns(
        &sqlite,
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
    )
    .await;
    let on_postgres = columns(
        &postgres,
        "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) FROM information_schema.columns WHERE table_schema = 'public'",
    )
    .await;
    assert!(on_sqlite.len() > 20, "the schema was read: {on_sqlite:?}");
    let only_sqlite: Vec<_> = on_sqlite.difference(&on_postgres).collect();
    let only_postgres: Vec<_> = on_postgres.difference(&on_sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "only on SQLite: {only_sqlite:?}; only on PostgreSQL: {only_postgres:?}"
    );
}
