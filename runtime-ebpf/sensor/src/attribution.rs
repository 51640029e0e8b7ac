//! cgroup id → cgroup path → container → pod and workload.
