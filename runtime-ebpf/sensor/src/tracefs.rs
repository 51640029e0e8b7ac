//! Tracepoint record layouts, from `<tracefs>/events/<category>/<name>/format`.
//!
//! The programs read tracepoint fields at offsets the loader hands them, taken from these files,
//! so a kernel that moves a field does not break them.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// Where tracefs is normally mounted.
pub const TRACEFS: &str = "/sys/kernel/tracing";

/// One field of a tracepoint record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    pub offset: u32,
    pub size: u32,
}

/// The fields of a tracepoint, from its `format` file.
#[derive(Clone, Debug, Default)]
pub struct Format {
    fields: Vec<(String, Field)>,
}

impl Format {
    /// Parses the text of a `format` file. Lines look like
    /// `\tfield:const char * filename;\toffset:16;\tsize:8;\tsigned:0;`.
    pub fn parse(text: &str) -> Format {
        let mut fields = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            let Some(rest) = line.strip_prefix("field:") else {
                continue;
            };
            let mut parts = rest.split(';').map(str::trim);
            let Some(decl) = parts.next() else { continue };
            let mut offset = None;
            let mut size = None;
            for part in parts {
                if let Some(v) = part.strip_prefix("offset:") {
                    offset = v.parse().ok();
                } else if let Some(v) = part.strip_prefix("size:") {
                    size = v.parse().ok();
                }
            }
            let (Some(offset), Some(size)) = (offset, size) else {
                continue;
            };
            // The name is the declaration's last word, without an array suffix.
            let name = decl.rsplit([' ', '*']).next().unwrap_or(decl);
            let name = name.split('[').next().unwrap_or(name);
            fields.push((name.to_string(), Field { offset, size }));
        }
        Format { fields }
    }

    pub fn field(&self, name: &str) -> Option<Field> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, f)| *f)
    }
}

/// The tracefs mount to use: `/sys/kernel/tracing` (or `/sys/kernel/debug/tracing`), mounted
/// at the former if neither is (root only).
pub fn ensure_mounted() -> anyhow::Result<PathBuf> {
    let root = Path::new(TRACEFS);
    if root.join("events").is_dir() {
        return Ok(root.to_path_buf());
    }
    // Older systems mount it only below debugfs.
    let legacy = Path::new("/sys/kernel/debug/tracing");
    if legacy.join("events").is_dir() {
        return Ok(legacy.to_path_buf());
    }
    if !root.is_dir() {
        bail!("{TRACEFS} does not exist: this kernel has no tracefs");
    }
    mount_tracefs(root).with_context(|| {
        format!("tracefs is not mounted at {TRACEFS}, and mounting it failed (mount -t tracefs tracefs {TRACEFS})")
    })?;
    if !root.join("events").is_dir() {
        bail!("tracefs mounted at {TRACEFS} has no events/ directory");
    }
    Ok(root.to_path_buf())
}

#[allow(unsafe_code)]
fn mount_tracefs(target: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let target = CString::new(target.as_os_str().as_bytes())?;
    let fstype = c"tracefs";
    // SAFETY: every pointer is a valid NUL-terminated string that outlives the call.
    let rc = unsafe {
        libc::mount(
            fstype.as_ptr(),
            target.as_ptr(),
            fstype.as_ptr(),
            0,
            std::ptr::null(),
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Reads and parses `<tracefs>/events/<category>/<name>/format`.
pub fn format(tracefs: &Path, category: &str, name: &str) -> anyhow::Result<Format> {
    let path = tracefs
        .join("events")
        .join(category)
        .join(name)
        .join("format");
    let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            anyhow::anyhow!("the kernel has no {category}:{name} tracepoint")
        }
        _ => anyhow::anyhow!("reading {}: {e}", path.display()),
    })?;
    Ok(Format::parse(&text))
}

/// Checks that argument `index` of a `syscalls:sys_*` tracepoint named `field` sits where the
/// programs read it (16 + 8 × index).
pub fn check_syscall_arg(format: &Format, field: &str, index: u32) -> anyhow::Result<()> {
    let expected = 16 + 8 * index;
    match format.field(field) {
        Some(f) if f.offset == expected && f.size == 8 => Ok(()),
        Some(f) => bail!(
            "field `{field}` is at offset {} (size {}), the program reads it at {expected} (size 8)",
            f.offset,
            f.size
        ),
        None => bail!("the tracepoint has no field `{field}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXEC: &str = "name: sched_process_exec\nID: 318\nformat:\n\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n\tfield:pid_t pid;\toffset:12;\tsize:4;\tsigned:1;\n\tfield:pid_t old_pid;\toffset:16;\tsize:4;\tsigned:1;\n\nprint fmt: \"filename=%s\", __get_str(filename)\n";

    #[test]
    fn parses_fields() {
        let f = Format::parse(EXEC);
        assert_eq!(f.field("filename"), Some(Field { offset: 8, size: 4 }));
        assert_eq!(
            f.field("old_pid"),
            Some(Field {
                offset: 16,
                size: 4
            })
        );
        assert_eq!(f.field("common_pid"), Some(Field { offset: 4, size: 4 }));
        assert_eq!(f.field("nope"), None);
    }

    #[test]
    fn parses_pointer_and_array_declarations() {
        let f = Format::parse(
            "\tfield:const char *const * argv;\toffset:24;\tsize:8;\tsigned:0;\n\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n\tfield:const struct cred * cred;\toffset:8;\tsize:8;\tsigned:0;",
        );
        assert_eq!(
            f.field("argv"),
            Some(Field {
                offset: 24,
                size: 8
            })
        );
        assert_eq!(
            f.field("comm"),
            Some(Field {
                offset: 8,
                size: 16
            })
        );
        assert_eq!(f.field("cred"), Some(Field { offset: 8, size: 8 }));
    }

    #[test]
    fn syscall_args_are_checked() {
        let f = Format::parse(
            "\tfield:int dfd;\toffset:16;\tsize:8;\tsigned:0;\n\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;",
        );
        assert!(check_syscall_arg(&f, "filename", 1).is_ok());
        let err = check_syscall_arg(&f, "filename", 2)
            .unwrap_err()
            .to_string();
        assert!(err.contains("offset 24"), "{err}");
        assert!(check_syscall_arg(&f, "flags", 2).is_err());
    }

    #[test]
    fn garbage_gives_no_fields() {
        let f = Format::parse("field:\nfield:int x;\toffset:zz;\tsize:4;\n\u{0}\u{1}");
        assert_eq!(f.field("x"), None);
    }
}
