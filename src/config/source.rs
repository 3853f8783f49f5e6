//! Reading TOML with positions: every error names the file, line, column and
//! key, what was found and what is allowed.

use crate::domain::Problem;
use serde::de::DeserializeOwned;
use std::fmt;
use std::ops::Range;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// One problem in a TOML source, placed at its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Dotted key path, e.g. `contacts[1].role`; empty for the whole file.
    pub key: String,
    pub message: String,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.key.is_empty() {
            write!(f, "`{}`: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

/// All the problems found in one source, shown one per line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render(.0))]
pub struct SourceErrors(pub Vec<Located>);

fn render(list: &[Located]) -> String {
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A TOML text with its name, able to place key paths and byte offsets.
pub struct Source<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

impl<'a> Source<'a> {
    pub fn new(name: &'a str, text: &'a str) -> Self {
        Source { name, text }
    }

    /// Deserialize into `T`, turning a syntax or type error into a [`Located`].
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, SourceErrors> {
        toml::from_str(self.text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            let key = self.path_at(span.start);
            let message = plain_types(e.message().trim().replace('\n', " "));
            SourceErrors(vec![self.at_span(span, key, message)])
        })
    }

    /// Place domain problems (found after parsing) at their keys.
    pub fn locate(&self, problems: Vec<Problem>) -> SourceErrors {
        let tree = DeTable::parse(self.text).ok();
        SourceErrors(
            problems
                .into_iter()
                .map(|p| {
                    let span = tree
                        .as_ref()
                        .and_then(|t| span_of(t, &p.path))
                        .unwrap_or(0..0);
                    self.at_span(span, p.path, p.message)
                })
                .collect(),
        )
    }

    fn at_span(&self, span: Range<usize>, key: String, message: String) -> Located {
        let (line, column) = line_col(self.text, span.start);
        Located {
            file: self.name.to_string(),
            line,
            column,
            key,
            message,
        }
    }

    /// The deepest key path whose key or value covers `offset`.
    fn path_at(&self, offset: usize) -> String {
        let Ok(tree) = DeTable::parse(self.text) else {
            return String::new();
        };
        let mut path = String::new();
        descend_table(tree.get_ref(), offset, &mut path);
        path
    }
}

fn descend_table(table: &DeTable<'_>, offset: usize, path: &mut String) {
    for (key, value) in table.iter() {
        let covers = key.span().contains(&offset) || covers(value, offset);
        if covers {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key.get_ref());
            descend_value(value, offset, path);
            return;
        }
    }
}

fn descend_value(value: &Spanned<DeValue<'_>>, offset: usize, path: &mut String) {
    match value.get_ref() {
        DeValue::Table(t) => descend_table(t, offset, path),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if covers(item, offset) {
                    path.push_str(&format!("[{i}]"));
                    descend_value(item, offset, path);
                    return;
                }
            }
        }
        _ => {}
    }
}

/// Whether the value (or, for a table, any of its entries) covers `offset`.
/// Tables of `[[array]]` headers have spans that do not cover their keys.
fn covers(value: &Spanned<DeValue<'_>>, offset: usize) -> bool {
    if value.span().contains(&offset) {
        return true;
    }
    match value.get_ref() {
        DeValue::Table(t) => t
            .iter()
            .any(|(k, v)| k.span().contains(&offset) || covers(v, offset)),
        DeValue::Array(items) => items.iter().any(|v| covers(v, offset)),
        _ => false,
    }
}

/// The span of the value at `path`, or of the nearest parent that exists.
fn span_of(tree: &Spanned<DeTable<'_>>, path: &str) -> Option<Range<usize>> {
    let mut best = None;
    let mut table = Some(tree.get_ref());
    let mut current: Option<&Spanned<DeValue<'_>>>;
    for segment in path.split('.').filter(|s| !s.is_empty()) {
        let (key, index) = match segment.split_once('[') {
            Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (segment, None),
        };
        let Some(t) = table else { break };
        let Some((k, v)) = t.iter().find(|(k, _)| k.get_ref() == key) else {
            break;
        };
        best = Some(match v.get_ref() {
            DeValue::Table(_) | DeValue::Array(_) => k.span(),
            _ => v.span(),
        });
        current = Some(v);
        if let Some(i) = index {
            match v.get_ref() {
                DeValue::Array(items) if i < items.len() => {
                    best = Some(first_span(items[i].span(), &items[i]));
                    current = Some(&items[i]);
                }
                _ => break,
            }
        }
        table = match current.map(Spanned::get_ref) {
            Some(DeValue::Table(t)) => Some(t),
            _ => None,
        };
    }
    best
}

/// A scalar's own span; for a table, its first key, which is where a reader
/// looks (a `[[array]]` table's own span does not cover its entries).
fn first_span(fallback: Range<usize>, value: &Spanned<DeValue<'_>>) -> Range<usize> {
    match value.get_ref() {
        DeValue::Table(t) => t
            .iter()
            .map(|(k, _)| k.span())
            .min_by_key(|s| s.start)
            .unwrap_or(fallback),
        _ => value.span(),
    }
}

/// Serde names Rust types ("expected u32"); say what a reader can act on.
fn plain_types(message: String) -> String {
    [
        ("u8", "a whole number"),
        ("u16", "a whole number"),
        ("u32", "a whole number"),
        ("u64", "a whole number"),
        ("i64", "a whole number"),
        ("a sequence", "a list [ ... ]"),
        ("a string", "a quoted string"),
    ]
    .iter()
    .fold(message, |m, (rust, plain)| {
        m.replace(&format!("expected {rust}"), &format!("expected {plain}"))
    })
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        a: A,
        #[serde(default)]
        items: Vec<Item>,
    }
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct A {
        n: u32,
    }
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        name: String,
    }

    #[test]
    fn serde_errors_name_line_and_key() {
        let text = "[a]\nn = \"x\"\n";
        let err = Source::new("f.toml", text).parse::<Doc>().unwrap_err();
        let e = &err.0[0];
        assert_eq!((e.line, e.key.as_str()), (2, "a.n"), "{e}");
        let text = "[a]\nn = 1\n\n[[items]]\nname = \"x\"\n\n[[items]]\nnmae = \"y\"\n";
        let err = Source::new("f.toml", text).parse::<Doc>().unwrap_err();
        let e = &err.0[0];
        assert_eq!(e.line, 8, "{e}");
        assert!(e.key.starts_with("items[1]"), "{e}");
        assert!(e.message.contains("nmae"), "{e}");
    }

    #[test]
    fn problems_are_placed_at_their_keys() {
        let text = "[a]\nn = 1\n\n[[items]]\nname = \"x\"\n\n[[items]]\nname = \"y\"\n";
        let errs = Source::new("f.toml", text).locate(vec![
            Problem::new("items[1].name", "bad"),
            Problem::new("a.n", "bad"),
            Problem::new("a.missing", "bad"),
        ]);
        let lines: Vec<usize> = errs.0.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![8, 2, 1]);
        assert_eq!(errs.0[0].to_string(), "f.toml:8:8: `items[1].name`: bad");
    }
}
