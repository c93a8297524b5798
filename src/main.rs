use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    industry_facts::cli::run().await
}
