//! The `settings` table: which version of each derived structure (the search index, the
//! metrics filed by region, the figures per region) a database was filled by, so a start
//! rebuilds one only when this binary fills it differently, and a read-only replica can tell
//! whether the file is ready to serve.

use sqlx::SqliteConnection;

/// Whether `key` names `version`: the structure was filled as this binary fills it.
pub async fn holds(
    conn: &mut SqliteConnection,
    key: &str,
    version: &str,
) -> Result<bool, sqlx::Error> {
    let value: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(value.as_deref() == Some(version))
}

/// Records that the structure `key` is now filled as `version` fills it.
pub async fn set(conn: &mut SqliteConnection, key: &str, version: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES (?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
