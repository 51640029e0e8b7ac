//! `picket-sensor`: record what containers do with eBPF, merge the profiles.

fn main() {}
