//! `synth --metrics N --db PATH`: a synthetic corpus of N metrics on top of the seed, for
//! benchmarks. The database gets the migrations and the seed exactly as the service gives them.

use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use industry_facts::db;

#[derive(Debug, Parser)]
#[command(
    name = "synth",
    about = "Add a synthetic corpus of metrics to a database, on top of the seed"
)]
struct Args {
    /// How many metrics to add.
    #[arg(long)]
    metrics: usize,
    /// SQLite database file, created when missing.
    #[arg(long)]
    db: String,
    /// Seed of the generator; the same seed on the same database gives the same corpus.
    #[arg(long, default_value_t = 1)]
    seed_rng: u64,
    /// Articles stored per transaction.
    #[arg(long, default_value_t = 8)]
    batch: usize,
    /// Run the full validator on the first article and every n-th after it.
    #[arg(long, default_value_t = 50)]
    validate_every: usize,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let started = Instant::now();
    let result = async {
        let pool = db::connect(&args.db).await?;
        db::seed::load(&pool).await.map_err(|e| e.to_string())?;
        let mut options = synth::Options::new(args.metrics);
        options.seed = args.seed_rng;
        options.batch = args.batch;
        options.validate_every = args.validate_every;
        let report = synth::generate(&pool, &options).await?;
        pool.close().await;
        Ok::<_, Box<dyn std::error::Error>>(report)
    }
    .await;
    match result {
        Ok(r) => {
            println!(
                "{}: added {} metrics in {} sources ({} validated in full), {} regions, \
                 {} enterprises, {} projects, {} policies in {:.1} s",
                args.db,
                r.metrics,
                r.sources,
                r.validated,
                r.regions,
                r.enterprises,
                r.projects,
                r.policies,
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
