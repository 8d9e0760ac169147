//! The files a scan reads: the paths given, and every regular file under the directories
//! among them, in name order, filtered by `--include` and `--exclude` globs. Symbolic links
//! are not followed unless asked (a link can lead out of the tree, or round in a loop).

use std::path::{Path, PathBuf};

/// What to read, and how to walk to it.
pub struct Walk {
    /// Globs a file must match one of (all files when empty).
    pub include: Vec<String>,
    /// Globs that leave a file, or a directory and all under it, out.
    pub exclude: Vec<String>,
    /// Whether symbolic links are followed.
    pub follow_symlinks: bool,
}

/// A file to read: its path, and the name reports give it (relative to the directory named
/// on the command line, or the path as given).
pub struct Found {
    pub path: PathBuf,
    pub shown: String,
}

/// What walking found: the files, the links left alone, and what could not be listed.
#[derive(Default)]
pub struct Listing {
    pub files: Vec<Found>,
    pub links_skipped: usize,
    pub errors: Vec<String>,
}

impl Walk {
    /// The files under `roots` (`-` is standard input).
    pub fn list(&self, roots: &[String]) -> Listing {
        let mut listing = Listing::default();
        for root in roots {
            let path = Path::new(root);
            if root != "-" && path.is_dir() {
                let mut visited = Vec::new();
                self.directory(path, path, root, &mut visited, &mut listing);
            } else {
                listing.files.push(Found {
                    path: path.to_path_buf(),
                    shown: root.clone(),
                });
            }
        }
        listing
    }

    fn directory(
        &self,
        root: &Path,
        dir: &Path,
        shown_root: &str,
        visited: &mut Vec<PathBuf>,
        listing: &mut Listing,
    ) {
        // A followed link can lead back to a directory being walked.
        if let Ok(real) = dir.canonicalize() {
            if visited.contains(&real) {
                return;
            }
            visited.push(real);
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => return listing.errors.push(format!("{}: {e}", dir.display())),
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.file_type().is_symlink() && !self.follow_symlinks {
                listing.links_skipped += 1;
                continue;
            }
            if self.exclude.iter().any(|g| matches(g, &relative)) {
                continue;
            }
            if path.is_dir() {
                self.directory(root, &path, shown_root, visited, listing);
            } else if path.is_file()
                && (self.include.is_empty() || self.include.iter().any(|g| matches(g, &relative)))
            {
                let shown = Path::new(shown_root).join(&relative);
                listing.files.push(Found {
                    path,
                    shown: shown.to_string_lossy().into_owned(),
                });
            }
        }
    }
}

/// Whether `path` (relative, `/`-separated) matches `glob`: `*` any run of characters but
/// `/`, `**` any run at all, `?` one character but `/`, `[...]` one of a set (`[!...]` none
/// of it). A glob without `/` is matched against the last component, as in `.gitignore`.
pub fn matches(glob: &str, path: &str) -> bool {
    let target = if glob.contains('/') {
        path
    } else {
        path.rsplit('/').next().unwrap_or(path)
    };
    let glob: Vec<char> = glob.chars().collect();
    let text: Vec<char> = target.chars().collect();
    match_from(&glob, &text)
}

fn match_from(glob: &[char], text: &[char]) -> bool {
    match glob {
        [] => text.is_empty(),
        ['*', '*', rest @ ..] => {
            // `**/` also matches no directory at all.
            let rest_after_slash = rest.strip_prefix(&['/']).unwrap_or(rest);
            (0..=text.len()).any(|i| match_from(rest, &text[i..]))
                || match_from(rest_after_slash, text)
        }
        ['*', rest @ ..] => (0..=text.len())
            .take_while(|&i| i == 0 || text[i - 1] != '/')
            .any(|i| match_from(rest, &text[i..])),
        ['?', rest @ ..] => text
            .first()
            .is_some_and(|&c| c != '/' && match_from(rest, &text[1..])),
        ['[', rest @ ..] => match class(rest, text.first().copied()) {
            Some((true, after)) => match_from(after, &text[1..]),
            _ => false,
        },
        [c, rest @ ..] => text.first() == Some(c) && match_from(rest, &text[1..]),
    }
}

/// A `[...]` set (after its `[`) against `c`: whether `c` is in it, and the glob after `]`.
/// None when the set is not closed or there is no character.
fn class(glob: &[char], c: Option<char>) -> Option<(bool, &[char])> {
    let c = c.filter(|&c| c != '/')?;
    let (negated, body) = match glob {
        ['!', rest @ ..] => (true, rest),
        _ => (false, glob),
    };
    let end = body.iter().skip(1).position(|&ch| ch == ']')? + 1;
    let set = &body[..end];
    let mut found = false;
    let mut i = 0;
    while i < set.len() {
        if i + 2 < set.len() && set[i + 1] == '-' {
            found |= set[i] <= c && c <= set[i + 2];
            i += 3;
        } else {
            found |= set[i] == c;
            i += 1;
        }
    }
    Some((found != negated, &body[end + 1..]))
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn globs_match_as_gitignore_patterns_do() {
        assert!(matches("*.pkl", "models/a.pkl"));
        assert!(!matches("*.pkl", "models/a.pt"));
        assert!(matches("models/*.pt", "models/a.pt"));
        assert!(!matches("models/*.pt", "models/sub/a.pt"));
        assert!(matches("models/**/*.pt", "models/sub/deep/a.pt"));
        assert!(matches("models/**/*.pt", "models/a.pt"));
        assert!(matches("**/cache", "a/b/cache"));
        assert!(matches("data_?.bin", "data_1.bin"));
        assert!(matches("[a-c]*.pkl", "b1.pkl"));
        assert!(!matches("[!a-c]*.pkl", "b1.pkl"));
        assert!(!matches("[abc", "a"));
    }
}
