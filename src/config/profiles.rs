//! Policy profiles: the built-in ones shipped in `assets/policies/`, or a
//! file named by path in the facility's config.

use super::source::{Source, SourceErrors};
use crate::domain::policy::PolicyProfile;
use std::path::Path;

/// The profiles compiled into the binary, by name.
const BUILTIN: [(&str, &str); 3] = [
    (
        "san-jose",
        include_str!("../../assets/policies/san-jose.toml"),
    ),
    (
        "example-partial-ban",
        include_str!("../../assets/policies/example-partial-ban.toml"),
    ),
    (
        "example-no-ban",
        include_str!("../../assets/policies/example-no-ban.toml"),
    ),
];

/// Names of the built-in profiles.
pub fn builtin_profile_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _)| *n).collect()
}

/// Why a profile could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("{}", crate::msg!("no profile `{found}`; allowed: {allowed}", found = .found, allowed = .allowed))]
    Unknown { found: String, allowed: String },
    #[error("{}", crate::msg!("{file}: cannot read: {source}", file = .file, source = .source))]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(SourceErrors),
}

/// Load a built-in profile by name, or a file when `name` ends in `.toml`
/// (relative paths resolve against `base`, the config file's folder).
pub fn load_profile(name: &str, base: &Path) -> Result<PolicyProfile, ProfileError> {
    if name.ends_with(".toml") {
        let path = base.join(name);
        let file = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|source| ProfileError::Read {
            file: file.clone(),
            source,
        })?;
        return parse_profile(&file, &text);
    }
    let (_, text) =
        BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| ProfileError::Unknown {
                found: name.into(),
                allowed: builtin_profile_names().join(", "),
            })?;
    parse_profile(&format!("assets/policies/{name}.toml"), text)
}

fn parse_profile(file: &str, text: &str) -> Result<PolicyProfile, ProfileError> {
    let source = Source::new(file, text);
    let profile: PolicyProfile = source.parse().map_err(ProfileError::Invalid)?;
    let problems = profile.problems();
    if problems.is_empty() {
        Ok(profile)
    } else {
        Err(ProfileError::Invalid(source.locate(problems)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::EntryRule;

    #[test]
    fn every_builtin_profile_loads_complete() {
        for name in builtin_profile_names() {
            let p = load_profile(name, Path::new("")).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(p.id, name);
            assert_eq!(p.example, name.starts_with("example-"), "{name}");
            if p.example {
                assert!(
                    p.name.to_lowercase().contains("example"),
                    "{name} must say it is an example"
                );
            }
        }
        let sj = load_profile("san-jose", Path::new("")).unwrap();
        assert_eq!(
            sj.access.non_public.entry,
            EntryRule::JudicialWarrantOrCourtOrder
        );
    }

    #[test]
    fn a_missing_translation_is_named_with_its_line() {
        let text = include_str!("../../assets/policies/san-jose.toml");
        let broken = text.replacen("tl = ", "tl_typo = ", 1);
        let err = parse_profile("p.toml", &broken).unwrap_err().to_string();
        assert!(err.starts_with("p.toml:"), "{err}");
        assert!(err.contains("tl_typo"), "{err}");
    }
}
