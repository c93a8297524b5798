//! `industry-facts extract`: a draft bundle on standard output, its review notes on standard
//! error (or in a file), and with `--evaluate` the scores of drafts against hand-made bundles.

use std::path::Path;
use std::process::ExitCode;

use super::evaluate::{all_known, evaluate, misses, others_known, table};
use super::{Draft, Known, Options, check_options, draft};
use crate::bundle::model::Bundle;
use crate::config::ExtractArgs;

pub async fn run(args: ExtractArgs) -> ExitCode {
    let result = if args.evaluate {
        evaluate_files(&args.files)
    } else {
        extract_file(&args).await
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The entities stored in `path`, read in one snapshot from a database opened read-only.
pub async fn stored(path: &str) -> Result<Known, String> {
    let pool = crate::db::connect_read_only(path)
        .await
        .map_err(|e| e.to_string())?;
    let mut tx = pool
        .begin()
        .await
        .map_err(|e| format!("cannot read {path}: {e}"))?;
    let entities = crate::db::stored::load(&mut tx)
        .await
        .map_err(|e| format!("cannot read the entities of {path}: {e}"))?;
    drop(tx);
    pool.close().await;
    Ok(entities.into())
}

async fn extract_file(args: &ExtractArgs) -> Result<(), String> {
    let [file] = args.files.as_slice() else {
        return Err(format!(
            "extract drafts one article at a time; {} files were given (--evaluate scores several bundles)",
            args.files.len()
        ));
    };
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("{}: cannot read it as UTF-8 text: {e}", file.display()))?;
    if text.trim().is_empty() {
        return Err(format!("{}: the file is empty", file.display()));
    }
    let options = Options {
        source_id: args.source_id.clone(),
        title: args.title.clone(),
        publication: args.publication.clone(),
        published: args.published.clone(),
        authors: args.authors.clone(),
        url: args.url.clone(),
    };
    let problems = check_options(&options);
    if !problems.is_empty() {
        return Err(problems
            .iter()
            .map(|(option, message)| format!("--{}: {message}", option.replace('_', "-")))
            .collect::<Vec<_>>()
            .join("; "));
    }
    let known = match &args.db {
        Some(path) => stored(path).await?,
        None => Known::embedded_seed(),
    };
    let Draft { bundle, review } = draft(&text, &options, &known);
    let json = serde_json::to_string_pretty(&bundle).map_err(|e| e.to_string())?;
    println!("{json}");
    match &args.report {
        Some(path) => {
            let notes = serde_json::to_string_pretty(&review).map_err(|e| e.to_string())?;
            std::fs::write(path, notes + "\n")
                .map_err(|e| format!("cannot write the report {}: {e}", path.display()))?;
        }
        None => {
            for note in &review {
                eprintln!("review: {}: {}", note.pointer, note.message);
            }
        }
    }
    eprintln!(
        "{}: drafted {} metrics and {} omissions; {} notes to review",
        file.display(),
        bundle.metrics.len(),
        bundle.omissions.len(),
        review.len()
    );
    Ok(())
}

fn read_bundle(path: &Path) -> Result<Bundle, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let raw: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
    crate::bundle::parse::parse(&raw).map_err(|(_, problems)| {
        format!(
            "{}: not a bundle: {}",
            path.display(),
            problems
                .iter()
                .map(|p| format!("{} {}", p.pointer, p.message))
                .collect::<Vec<_>>()
                .join("; ")
        )
    })
}

fn evaluate_files(files: &[std::path::PathBuf]) -> Result<(), String> {
    let bundles = files
        .iter()
        .map(|f| read_bundle(f))
        .collect::<Result<Vec<_>, _>>()?;
    let stored = evaluate(&bundles, all_known(&bundles));
    println!("{}", table(&stored, "entities of these articles stored"));
    let fresh = evaluate(&bundles, others_known(&bundles));
    println!(
        "{}",
        table(
            &fresh,
            "each article new (only the others' entities stored)"
        )
    );
    println!("where drafts differ from the hand-made bundles (entities stored):");
    print!("{}", misses(&stored));
    Ok(())
}
