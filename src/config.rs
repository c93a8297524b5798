//! Command line and environment: every setting has a flag and an `INDUSTRY_FACTS_*` variable,
//! so the same binary runs from a shell or a container without a config file.

use std::path::PathBuf;

use clap::builder::TypedValueParser;
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

impl Cli {
    /// Parses the command line (and environment). `extract --db` counts only when given: the
    /// default database file of the other subcommands would otherwise be read, and a draft
    /// made against an empty or absent file would silently match nothing.
    pub fn parse_args() -> Self {
        Self::try_parse_args_from(std::env::args_os()).unwrap_or_else(|e| e.exit())
    }

    pub fn try_parse_args_from<I, T>(args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        use clap::{CommandFactory, FromArgMatches};
        let matches = Self::command().try_get_matches_from(args)?;
        let mut cli = Self::from_arg_matches(&matches)?;
        if let Some(Command::Extract(args)) = &mut cli.command {
            let given = matches
                .subcommand_matches("extract")
                .and_then(|m| m.value_source("db"))
                .is_some_and(|source| source != clap::parser::ValueSource::DefaultValue);
            if !given {
                args.db = None;
            }
        }
        Ok(cli)
    }
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
    /// Draft a bundle from an article's text, for a person to review and import.
    Extract(ExtractArgs),
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
    /// File holding the bearer token that turns on writes over HTTP.
    #[arg(long, env = "INDUSTRY_FACTS_TOKEN_FILE")]
    pub token_file: Option<std::path::PathBuf>,
    /// The bearer token itself; prefer the environment variable or --token-file, since
    /// command lines are visible to other users of the machine.
    #[arg(long, env = "INDUSTRY_FACTS_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "INDUSTRY_FACTS_MAX_BODY_BYTES", default_value_t = crate::state::DEFAULT_MAX_BODY)]
    pub max_body_bytes: usize,
    /// Seconds a request may take before it is abandoned with 503.
    #[arg(long, env = "INDUSTRY_FACTS_REQUEST_TIMEOUT_SECS", default_value_t = crate::state::DEFAULT_REQUEST_TIMEOUT_SECS,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_secs: u64,
    /// Milliseconds one read statement may run before SQLite stops it and the request gets
    /// 503; never more than the request timeout.
    #[arg(long, env = "INDUSTRY_FACTS_QUERY_TIMEOUT_MS", default_value_t = crate::state::DEFAULT_QUERY_TIMEOUT_MS,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub query_timeout_ms: u64,
    /// Requests served at once; the excess is refused with 503 and Retry-After.
    #[arg(long, env = "INDUSTRY_FACTS_MAX_CONCURRENCY", default_value_t = crate::state::DEFAULT_MAX_CONCURRENCY,
          value_parser = clap::value_parser!(u64).range(1..).map(|n| n as usize))]
    pub max_concurrency: usize,
    /// Bytes of encoded responses kept for repeated reads (0 turns the cache off). Entries are
    /// keyed by the data version, so a write makes every older one unreachable at once.
    #[arg(long, env = "INDUSTRY_FACTS_CACHE_BYTES", default_value_t = crate::state::DEFAULT_CACHE_BYTES)]
    pub cache_bytes: usize,
    /// Seconds a client has to finish a request head once its first byte has arrived.
    #[arg(long, env = "INDUSTRY_FACTS_HEADER_TIMEOUT_SECS", default_value_t = crate::http::serve::DEFAULT_HEADER_TIMEOUT_SECS,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout_secs: u64,
    /// Seconds a connection may wait for a request, when new or after a response, before it is closed.
    #[arg(long, env = "INDUSTRY_FACTS_IDLE_TIMEOUT_SECS", default_value_t = crate::http::serve::DEFAULT_IDLE_TIMEOUT_SECS,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout_secs: u64,
    /// Connections open at once; beyond it new ones wait in the listen backlog until one closes.
    #[arg(long, env = "INDUSTRY_FACTS_MAX_CONNECTIONS", default_value_t = crate::http::serve::DEFAULT_MAX_CONNECTIONS,
          value_parser = clap::value_parser!(u64).range(1..).map(|n| n as usize))]
    pub max_connections: usize,
    /// Serve reads only, from an existing database opened read-only: no migrations, no
    /// seed, and every write route answers 403. For public replicas.
    #[arg(long, env = "INDUSTRY_FACTS_READ_ONLY", default_value_t = false)]
    pub read_only: bool,
}

impl ServeArgs {
    /// The write token, from the file or the variable; `None` leaves writes off.
    pub fn write_token(&self) -> Result<Option<String>, String> {
        let token = match (&self.token_file, &self.token) {
            (Some(_), Some(_)) => {
                return Err("give either --token-file or INDUSTRY_FACTS_TOKEN, not both".into());
            }
            (Some(path), None) => std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the token file {}: {e}", path.display()))?,
            (None, Some(token)) => token.clone(),
            (None, None) => return Ok(None),
        };
        let token = token.trim();
        if token.len() < 16 {
            return Err("the write token must be at least 16 characters".into());
        }
        Ok(Some(token.to_owned()))
    }
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Replace a source that is already stored, with its metrics, instead of refusing it.
    #[arg(long)]
    pub replace: bool,
    /// What to do with a bundle that would change the fields of an entity already stored:
    /// `refuse` it, listing each differing field, or `update` the entity.
    #[arg(long, value_name = "WHAT", default_value = "refuse",
          value_parser = clap::builder::PossibleValuesParser::new(["refuse", "update"]))]
    pub entities: String,
    /// Import the seed bundles built into this binary first, and record them as loaded.
    /// With --replace and --entities update this restores the shipped data.
    #[arg(long)]
    pub seed: bool,
    /// Bundle files (JSON).
    #[arg(required_unless_present = "seed")]
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
pub struct ExtractArgs {
    /// The article as plain UTF-8 text; with --evaluate, bundle files to score drafts against.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Id of the draft's source (a slug); derived from the text when not given.
    #[arg(long)]
    pub source_id: Option<String>,
    /// Title of the article; the first line of the text when not given.
    #[arg(long)]
    pub title: Option<String>,
    /// Where the article was published (科技日报); read from its dateline when not given.
    #[arg(long)]
    pub publication: Option<String>,
    /// Publication date (2023, 2023-03 or 2023-03-15): dates 今年 and undated figures.
    #[arg(long)]
    pub published: Option<String>,
    /// A reporter of the byline (repeatable); read from the byline when not given.
    #[arg(long = "author")]
    pub authors: Vec<String>,
    /// Address of the article.
    #[arg(long)]
    pub url: Option<String>,
    /// Database whose stored entities the draft is matched against, opened read-only;
    /// without it, the entities of the seed compiled into the binary.
    #[arg(long)]
    pub db: Option<String>,
    /// Write the review notes to this file (JSON) instead of standard error.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Score drafts of the given bundles' texts against the bundles, field by field.
    #[arg(long)]
    pub evaluate: bool,
}

#[derive(Debug, Clone, Args)]
pub struct HealthcheckArgs {
    /// Address of the server to ask.
    #[arg(long, env = "INDUSTRY_FACTS_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serve_args(args: &[&str]) -> ServeArgs {
        let mut argv = vec!["industry-facts"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv).expect("arguments parse").serve
    }

    #[test]
    fn the_write_token_comes_from_a_file_or_the_flag_and_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "  abcdefghijklmnopqrst\n").unwrap();
        let file = file.to_str().unwrap();
        assert_eq!(serve_args(&[]).write_token(), Ok(None));
        assert_eq!(
            serve_args(&["--token-file", file]).write_token(),
            Ok(Some("abcdefghijklmnopqrst".into()))
        );
        assert_eq!(
            serve_args(&["--token", "0123456789abcdef"]).write_token(),
            Ok(Some("0123456789abcdef".into()))
        );
        assert!(serve_args(&["--token", "short"]).write_token().is_err());
        assert!(
            serve_args(&["--token-file", file, "--token", "0123456789abcdef"])
                .write_token()
                .is_err()
        );
        assert!(
            serve_args(&["--token-file", "/nonexistent/token"])
                .write_token()
                .is_err()
        );
    }

    #[test]
    fn extract_reads_a_database_only_when_named() {
        let parse = |args: &[&str]| {
            let mut argv = vec!["industry-facts", "extract"];
            argv.extend_from_slice(args);
            match Cli::try_parse_args_from(argv)
                .expect("arguments parse")
                .command
            {
                Some(Command::Extract(a)) => a,
                other => panic!("not extract: {other:?}"),
            }
        };
        assert_eq!(parse(&["a.txt"]).db, None);
        assert_eq!(
            parse(&["a.txt", "--db", "x.db"]).db.as_deref(),
            Some("x.db")
        );
        let args = parse(&[
            "--evaluate",
            "a.json",
            "b.json",
            "--author",
            "甲",
            "--author",
            "乙",
        ]);
        assert!(args.evaluate);
        assert_eq!(args.files.len(), 2);
        assert_eq!(args.authors, ["甲", "乙"]);
    }

    #[test]
    fn limits_and_read_only_have_defaults_and_refuse_zero() {
        let defaults = serve_args(&[]);
        assert_eq!(
            defaults.request_timeout_secs,
            crate::state::DEFAULT_REQUEST_TIMEOUT_SECS
        );
        assert_eq!(
            defaults.max_concurrency,
            crate::state::DEFAULT_MAX_CONCURRENCY
        );
        assert_eq!(
            defaults.query_timeout_ms,
            crate::state::DEFAULT_QUERY_TIMEOUT_MS
        );
        assert!(!defaults.read_only);
        assert_eq!(
            (
                defaults.header_timeout_secs,
                defaults.idle_timeout_secs,
                defaults.max_connections
            ),
            (
                crate::http::serve::DEFAULT_HEADER_TIMEOUT_SECS,
                crate::http::serve::DEFAULT_IDLE_TIMEOUT_SECS,
                crate::http::serve::DEFAULT_MAX_CONNECTIONS
            )
        );
        let set = serve_args(&[
            "--header-timeout-secs",
            "2",
            "--idle-timeout-secs",
            "3",
            "--max-connections",
            "4",
        ]);
        assert_eq!(
            (
                set.header_timeout_secs,
                set.idle_timeout_secs,
                set.max_connections
            ),
            (2, 3, 4)
        );
        let set = serve_args(&[
            "--request-timeout-secs",
            "5",
            "--max-concurrency",
            "3",
            "--query-timeout-ms",
            "250",
            "--read-only",
        ]);
        assert_eq!(
            (
                set.request_timeout_secs,
                set.max_concurrency,
                set.query_timeout_ms,
                set.read_only
            ),
            (5, 3, 250, true)
        );
        for zero in [
            ["--request-timeout-secs", "0"],
            ["--max-concurrency", "0"],
            ["--header-timeout-secs", "0"],
            ["--idle-timeout-secs", "0"],
            ["--max-connections", "0"],
            ["--query-timeout-ms", "0"],
        ] {
            let argv = ["industry-facts", zero[0], zero[1]];
            assert!(Cli::try_parse_from(argv).is_err(), "{zero:?}");
        }
    }
}
