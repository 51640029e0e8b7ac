// SPDX-License-Identifier: Apache-2.0
/* Inbound TCP connections, attributed to the cgroup of the socket that accepted them.
 *
 * The handshake completes in softirq context, where the current task is whoever the CPU was
 * running (the client on loopback, the idle task for real traffic), so the cgroup has to come
 * from the socket itself: sk->sk_cgrp_data.cgroup->kn->id, which needs CO-RE, hence C. A child
 * socket inherits the listener's cgroup, i.e. the server's.
 *
 * Same conventions as the Rust programs: a tracked check, one fact map (`NETS_IN`), an event
 * for the first sighting only, per-CPU counters. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "sensor.h"

/* Set by the loader (same names as in the Rust object). */
const volatile __u8 TRACK_ALL = 0;
const volatile __u64 SELF_CGROUP = 0;
const volatile __u64 ROOT_CGROUP = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} EVENTS_IN SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, STAT_LEN);
	__type(key, __u32);
	__type(value, __u64);
} STATS_IN SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} TRACKED_IN SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct picket_net_key);
	__type(value, struct picket_fact_stats);
} NETS_IN SEC(".maps");

static __always_inline void count(__u32 slot)
{
	__u64 *p = bpf_map_lookup_elem(&STATS_IN, &slot);
	if (p)
		__sync_fetch_and_add(p, 1);
}

static __always_inline int tracked(__u64 cgroup)
{
	if (TRACK_ALL)
		return cgroup != SELF_CGROUP && cgroup != ROOT_CGROUP;
	return bpf_map_lookup_elem(&TRACKED_IN, &cgroup) != NULL;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(inet_sock_set_state, const struct sock *sk, const int oldstate, const int newstate)
{
	/* The server side of a completed handshake. */
	if (oldstate != TCP_SYN_RECV || newstate != TCP_ESTABLISHED)
		return 0;
	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	__u64 cgroup = BPF_CORE_READ(sk, sk_cgrp_data.cgroup, kn, id);
	if (!tracked(cgroup))
		return 0;

	struct picket_net_key key = {};
	key.cgroup_id = cgroup;
	key.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	key.protocol = PICKET_IPPROTO_TCP;
	key.direction = PICKET_INGRESS;
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family == PICKET_AF_INET) {
		key.family = PICKET_AF_INET;
		__be32 daddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__builtin_memcpy(key.addr, &daddr, 4);
	} else if (family == PICKET_AF_INET6) {
		key.family = PICKET_AF_INET6;
		BPF_CORE_READ_INTO(&key.addr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	} else {
		return 0;
	}

	__u64 now = bpf_ktime_get_boot_ns();
	__u32 flags = 0;
	struct picket_fact_stats *v = bpf_map_lookup_elem(&NETS_IN, &key);
	if (v) {
		__sync_fetch_and_add(&v->count, 1);
		v->last_ns = now;
		return 0;
	}
	struct picket_fact_stats fresh = { .count = 1, .first_ns = now, .last_ns = now };
	if (bpf_map_update_elem(&NETS_IN, &key, &fresh, BPF_NOEXIST) != 0) {
		v = bpf_map_lookup_elem(&NETS_IN, &key);
		if (v) {
			__sync_fetch_and_add(&v->count, 1);
			v->last_ns = now;
			return 0;
		}
		count(STAT_LOST_INSERTS);
		flags = PICKET_FLAG_UNAGGREGATED;
	}

	struct picket_net_event *e = bpf_ringbuf_reserve(&EVENTS_IN, sizeof(*e), 0);
	if (!e) {
		count(STAT_DROPS);
		return 0;
	}
	e->header.kind = PICKET_KIND_NET;
	e->header.flags = flags;
	e->header.cgroup_id = cgroup;
	e->header.ts_ns = now;
	/* Softirq: no process of the server's is current. */
	e->header.pid = 0;
	e->header.uid = 0xffffffff;
	__builtin_memset(e->header.comm, 0, sizeof(e->header.comm));
	e->key = key;
	bpf_ringbuf_submit(e, 0);
	count(STAT_EVENTS);
	return 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
