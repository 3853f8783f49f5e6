//! Every fuzz target's corpus (`fuzz/corpus/TARGET/`) and every crash input
//! fuzzing found (`fuzz/artifacts/TARGET/`, kept once fixed) replayed
//! through the same entry points the fuzzers call, so CI checks them on
//! every run without a sanitizer build. See README, "Fuzzing".

use std::path::Path;

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<_> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && !p.ends_with(".gitkeep"))
        .collect();
    out.sort();
    out
}

#[test]
fn every_corpus_and_crash_input_replays_clean() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let manifest = std::fs::read_to_string(fuzz.join("Cargo.toml")).unwrap();
    let mut replayed = 0;
    for (name, target) in threshold::fuzz::TARGETS {
        assert!(
            manifest.contains(&format!("name = \"{name}\""))
                && fuzz.join(format!("fuzz_targets/{name}.rs")).exists(),
            "{name} has no cargo-fuzz target"
        );
        let corpus = files(&fuzz.join("corpus").join(name));
        assert!(!corpus.is_empty(), "{name} has no corpus");
        for file in corpus
            .iter()
            .chain(&files(&fuzz.join("artifacts").join(name)))
        {
            let bytes = std::fs::read(file).unwrap();
            let run = std::panic::catch_unwind(|| target(&bytes));
            assert!(run.is_ok(), "{name}: {} fails", file.display());
            replayed += 1;
        }
    }
    eprintln!("{replayed} inputs replayed");
}
