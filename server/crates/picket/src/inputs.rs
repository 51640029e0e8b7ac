//! Finding and reading the inputs of `picket check`: walking directories, size limits, binary
//! and encoding checks. Every problem becomes an [`InputError`] naming the file.

use std::io::Read;
use std::path::{Path, PathBuf};

use picket_ide::{FileKind, is_yaml_path};

/// One input to read.
#[derive(Debug, Clone)]
pub(crate) enum Input {
    File(PathBuf),
    Stdin,
}

/// A file that could not be analysed, and why.
#[derive(Debug, Clone)]
pub(crate) struct InputError {
    pub(crate) path: String,
    pub(crate) message: String,
}

/// A file read into memory.
#[derive(Debug)]
pub(crate) struct Source {
    pub(crate) path: String,
    pub(crate) kind: FileKind,
    pub(crate) text: String,
}

/// The path as the user will read it: relative paths stay relative, `./` dropped.
pub(crate) fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_owned()
}

/// The inputs of `check` and `fix`: `paths` (the current directory when none) expanded, less
/// the files their `.picket.yaml` ignores. Returns the paths as used, for messages.
pub(crate) fn gather(
    paths: &[PathBuf],
    no_ignore: bool,
    configs: &crate::config::Configs,
) -> (Vec<PathBuf>, Vec<Input>, Vec<InputError>) {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let (inputs, errors) = collect(&paths, no_ignore);
    (paths, without_config_ignored(inputs, configs), errors)
}

/// Drops the files that their `.picket.yaml` ignores.
fn without_config_ignored(inputs: Vec<Input>, configs: &crate::config::Configs) -> Vec<Input> {
    inputs
        .into_iter()
        .filter(|input| match input {
            Input::Stdin => true,
            Input::File(path) => {
                let abs = std::path::absolute(path).unwrap_or_else(|_| path.clone());
                !configs.for_file(path).is_ignored(&abs)
            }
        })
        .collect()
}

/// Expands the command line into files, in a stable order.
pub(crate) fn collect(paths: &[PathBuf], no_ignore: bool) -> (Vec<Input>, Vec<InputError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                errors.push(InputError {
                    path: display_path(path),
                    message: io_message(&e),
                });
                continue;
            }
        };
        if !meta.is_dir() {
            inputs.push(Input::File(path.clone()));
            continue;
        }
        let mut found = Vec::new();
        let walker = ignore::WalkBuilder::new(path)
            .standard_filters(!no_ignore)
            .require_git(false)
            .follow_links(false)
            .build();
        for entry in walker {
            match entry {
                Ok(e) => {
                    if e.file_type().is_some_and(|t| t.is_file()) && is_yaml_path(e.path()) {
                        found.push(e.into_path());
                    }
                }
                Err(e) => errors.push(InputError {
                    path: display_path(path),
                    message: e.to_string(),
                }),
            }
        }
        found.sort();
        inputs.extend(found.into_iter().map(Input::File));
    }
    (inputs, errors)
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    }
}

fn human_size(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MiB", n as f64 / f64::from(1 << 20))
    } else if n >= 1 << 10 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{n} bytes")
    }
}

/// Reads one input, enforcing the size limit and checking that it is UTF-8 text.
pub(crate) fn read(input: &Input, max_size: u64, stdin_name: &str) -> Result<Source, InputError> {
    let (path, kind, bytes) = match input {
        Input::Stdin => {
            let mut bytes = Vec::new();
            let limit = max_size.saturating_add(1);
            let err = |e: std::io::Error| InputError {
                path: stdin_name.to_owned(),
                message: io_message(&e),
            };
            std::io::stdin()
                .lock()
                .take(limit)
                .read_to_end(&mut bytes)
                .map_err(err)?;
            if bytes.len() as u64 > max_size {
                return Err(InputError {
                    path: stdin_name.to_owned(),
                    message: format!(
                        "input is larger than the {} limit; not analysed (raise the limit with --max-file-size)",
                        human_size(max_size)
                    ),
                });
            }
            (stdin_name.to_owned(), FileKind::Yaml, bytes)
        }
        Input::File(p) => {
            let path = display_path(p);
            let err = |e: std::io::Error| InputError {
                path: path.clone(),
                message: io_message(&e),
            };
            let meta = std::fs::metadata(p).map_err(err)?;
            if meta.is_dir() {
                return Err(InputError {
                    path,
                    message: "is a directory".to_owned(),
                });
            }
            if meta.len() > max_size {
                return Err(InputError {
                    path,
                    message: format!(
                        "file is {}, larger than the {} limit; not analysed (raise the limit with --max-file-size)",
                        human_size(meta.len()),
                        human_size(max_size)
                    ),
                });
            }
            let mut bytes = Vec::with_capacity(meta.len() as usize);
            std::fs::File::open(p)
                .and_then(|f| f.take(max_size.saturating_add(1)).read_to_end(&mut bytes))
                .map_err(err)?;
            if bytes.len() as u64 > max_size {
                return Err(InputError {
                    path,
                    message: format!(
                        "file grew past the {} limit while being read",
                        human_size(max_size)
                    ),
                });
            }
            (path, FileKind::of_path(p, Path::is_file), bytes)
        }
    };
    let text = decode(&bytes).map_err(|message| InputError {
        path: path.clone(),
        message,
    })?;
    Ok(Source { path, kind, text })
}

/// UTF-8 text, or a message saying why not.
pub(crate) fn decode(bytes: &[u8]) -> Result<String, String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err("file is UTF-16 encoded; Kubernetes manifests must be UTF-8".to_owned());
    }
    let head = &bytes[..bytes.len().min(8192)];
    if let Some(i) = head.iter().position(|&b| b == 0) {
        return Err(format!(
            "binary file (NUL byte at offset {i}); not a YAML manifest"
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
            let col = good.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
            Err(format!(
                "not valid UTF-8 (invalid byte 0x{:02X} at line {line}, column {col}); not a YAML manifest",
                bytes[e.valid_up_to()]
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding() {
        assert_eq!(decode(b"a: 1\n").unwrap(), "a: 1\n");
        assert!(decode(b"a\0b").unwrap_err().contains("binary file"));
        assert!(
            decode(b"a: 1\nb: \xff\n")
                .unwrap_err()
                .contains("line 2, column 4")
        );
        assert!(decode(b"\xff\xfea\0").unwrap_err().contains("UTF-16"));
    }
}
