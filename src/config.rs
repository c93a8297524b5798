//! Command line and environment: every setting has a flag and an `INDUSTRY_FACTS_*` variable,
//! so the same binary runs from a shell or a container without a config file.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "industry-facts",
    version,
    about = "Facts about China's regional industrial policy, traced to their sources"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve(ServeArgs),
    /// Validate bundles and store them in the database.
    Import(ImportArgs),
    /// Validate bundles without touching any database.
    Check(CheckArgs),
    /// Exit 0 when the server at --addr answers 200 on /health.
    Healthcheck(HealthcheckArgs),
}

#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// SQLite database file, created when missing; `:memory:` for a throw-away database.
    #[arg(
        long,
        env = "INDUSTRY_FACTS_DB",
        default_value = "industry-facts.db",
        global = true
    )]
    pub db: String,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port, which is logged.
    #[arg(long, env = "INDUSTRY_FACTS_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    #[command(flatten)]
    pub db: DbArgs,
    /// Skip loading the bundled seed data.
    #[arg(long, env = "INDUSTRY_FACTS_NO_SEED", default_value_t = false)]
    pub no_seed: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Replace a source that is already stored, with its metrics, instead of refusing it.
    #[arg(long)]
    pub replace: bool,
    /// Bundle files (JSON).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Also list every number of each article that no metric or omission accounts for,
    /// and fail when there is one.
    #[arg(long)]
    pub coverage: bool,
    /// Bundle files (JSON), validated in order; later files may refer to entities of earlier ones.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct HealthcheckArgs {
    /// Address of the server to ask.
    #[arg(long, env = "INDUSTRY_FACTS_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
}
