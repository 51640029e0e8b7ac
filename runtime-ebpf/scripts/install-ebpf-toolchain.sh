#!/usr/bin/env bash
# Installs what building and testing Picket's eBPF sensor needs, on Debian 12 (bookworm) or newer.
# Idempotent: each step checks first and skips what is already there. Needs root for apt-get.
#
#   - clang-22, llvm-22-dev, libpolly-22-dev (bookworm-security): the C object, and bpf-linker's LLVM
#   - libbpf-dev, bpftool: libbpf's BPF headers; vmlinux.h dumped from the kernel's BTF
#   - iproute2: `ip`, with which the end-to-end test gives its workload a network interface
#   - the nightly toolchain with rust-src (eBPF programs build `core` for bpfel-unknown-none),
#     and its clippy for linting them
#   - bpf-linker 0.13.0 built against LLVM 22
#   - tracefs mounted at /sys/kernel/tracing (the sensor reads tracepoint layouts there)
set -euo pipefail

log() { printf '==> %s\n' "$*" >&2; }
BPF_LINKER_VERSION=0.13.0

need_apt=()
for pkg in clang-22 llvm-22-dev libpolly-22-dev libbpf-dev bpftool iproute2; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$pkg")
done
if ((${#need_apt[@]})); then
    log "apt-get install ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! rustup toolchain list | grep -q '^nightly'; then
    log "rustup toolchain install nightly"
    rustup toolchain install nightly --profile minimal
fi
for component in rust-src clippy rustfmt; do
    if ! rustup component list --toolchain nightly --installed | grep -q "^$component"; then
        log "rustup component add $component --toolchain nightly"
        rustup component add "$component" --toolchain nightly
    fi
done

if [[ "$(bpf-linker --version 2>/dev/null)" != "bpf-linker $BPF_LINKER_VERSION" ]]; then
    log "cargo install bpf-linker $BPF_LINKER_VERSION (about 3 minutes)"
    # bpf-linker's build finds LLVM through the first llvm-config on PATH: it must be LLVM 22's.
    PATH=/usr/lib/llvm-22/bin:$PATH LLVM_SYS_221_PREFIX=/usr/lib/llvm-22 \
        cargo install bpf-linker --version "$BPF_LINKER_VERSION" \
        --no-default-features --features llvm-22 --locked --force
fi

if [[ -d /sys/kernel/tracing ]] && ! mountpoint -q /sys/kernel/tracing; then
    log "mount -t tracefs tracefs /sys/kernel/tracing"
    mount -t tracefs tracefs /sys/kernel/tracing || log "could not mount tracefs (not root?)"
fi

log "eBPF toolchain ready: $(bpf-linker --version), $(clang-22 --version | head -1)"
