//! Names of capabilities and syscalls, as profiles write them.

/// Capability names by number (`include/uapi/linux/capability.h`).
const CAPABILITIES: [&str; 41] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

/// `CAP_NET_RAW` for 13; `CAP_<n>` for a number this table does not know.
pub fn capability(cap: u32) -> String {
    match CAPABILITIES.get(cap as usize) {
        Some(name) => (*name).to_string(),
        None => format!("CAP_{cap}"),
    }
}

/// The number of a capability name (`CAP_NET_RAW` or `NET_RAW`, any case).
pub fn capability_number(name: &str) -> Option<u32> {
    let upper = name.to_ascii_uppercase();
    let full = if upper.starts_with("CAP_") {
        upper
    } else {
        format!("CAP_{upper}")
    };
    CAPABILITIES
        .iter()
        .position(|c| *c == full)
        .map(|i| i as u32)
}

/// The machine's architecture, as profiles name it.
pub fn arch() -> &'static str {
    std::env::consts::ARCH
}

/// The name of syscall `nr` on this machine's architecture, as the kernel and libseccomp spell
/// it (what seccomp profiles need); `syscall_<nr>` when unknown.
pub fn syscall(nr: u32) -> String {
    match syscalls::Sysno::new(nr as usize) {
        Some(s) => seccomp_name(std::env::consts::ARCH, s.name()).to_string(),
        None => format!("syscall_{nr}"),
    }
}

/// The `syscalls` crate names arm64's syscall 79 `fstatat`; the kernel's table and libseccomp
/// call it `newfstatat` (as on x86-64), and a seccomp profile naming `fstatat` is rejected.
fn seccomp_name<'a>(arch: &str, name: &'a str) -> &'a str {
    match (arch, name) {
        ("aarch64", "fstatat") => "newfstatat",
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capability_names() {
        assert_eq!(capability(0), "CAP_CHOWN");
        assert_eq!(capability(13), "CAP_NET_RAW");
        assert_eq!(capability(21), "CAP_SYS_ADMIN");
        assert_eq!(capability(40), "CAP_CHECKPOINT_RESTORE");
        assert_eq!(capability(63), "CAP_63");
        assert_eq!(capability_number("net_raw"), Some(13));
        assert_eq!(capability_number("CAP_BPF"), Some(39));
        assert_eq!(capability_number("CAP_NOPE"), None);
    }

    #[test]
    fn names_follow_the_kernel_and_libseccomp() {
        assert_eq!(seccomp_name("aarch64", "fstatat"), "newfstatat");
        assert_eq!(seccomp_name("x86_64", "newfstatat"), "newfstatat");
        assert_eq!(seccomp_name("aarch64", "openat"), "openat");
    }

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn syscall_names_x86_64() {
        assert_eq!(syscall(0), "read");
        assert_eq!(syscall(42), "connect");
        assert_eq!(syscall(59), "execve");
        assert_eq!(syscall(257), "openat");
        assert_eq!(syscall(511), "syscall_511");
    }
}
