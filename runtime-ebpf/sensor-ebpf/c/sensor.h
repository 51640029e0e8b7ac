/* The layouts of picket-sensor-common that the C object shares, with the same sizes and
 * offsets; runtime-ebpf/sensor-common's layout tests assert the same numbers. */
#ifndef PICKET_SENSOR_H
#define PICKET_SENSOR_H

#define PICKET_COMM_LEN 16
#define PICKET_KIND_NET 2
#define PICKET_FLAG_UNAGGREGATED 1
#define PICKET_AF_INET 2
#define PICKET_AF_INET6 10
#define PICKET_IPPROTO_TCP 6
#define PICKET_INGRESS 1

enum picket_stat { STAT_EVENTS = 0, STAT_DROPS = 1, STAT_LOST_INSERTS = 2, STAT_READ_ERRORS = 3, STAT_LEN = 4 };

struct picket_fact_stats {
	__u64 count;
	__u64 first_ns;
	__u64 last_ns;
};

struct picket_header {
	__u32 kind;
	__u32 flags;
	__u64 cgroup_id;
	__u64 ts_ns;
	__u32 pid;
	__u32 uid;
	char comm[PICKET_COMM_LEN];
};

struct picket_net_key {
	__u64 cgroup_id;
	__u8 addr[16];
	__u16 port;
	__u8 family;
	__u8 protocol;
	__u8 direction;
	__u8 _pad[3];
};

struct picket_net_event {
	struct picket_header header;
	struct picket_net_key key;
};

_Static_assert(sizeof(struct picket_fact_stats) == 24, "FactStats");
_Static_assert(sizeof(struct picket_header) == 48, "Header");
_Static_assert(__builtin_offsetof(struct picket_header, cgroup_id) == 8, "Header.cgroup_id");
_Static_assert(__builtin_offsetof(struct picket_header, ts_ns) == 16, "Header.ts_ns");
_Static_assert(__builtin_offsetof(struct picket_header, pid) == 24, "Header.pid");
_Static_assert(__builtin_offsetof(struct picket_header, uid) == 28, "Header.uid");
_Static_assert(__builtin_offsetof(struct picket_header, comm) == 32, "Header.comm");
_Static_assert(sizeof(struct picket_net_key) == 32, "NetKey");
_Static_assert(__builtin_offsetof(struct picket_net_key, addr) == 8, "NetKey.addr");
_Static_assert(__builtin_offsetof(struct picket_net_key, port) == 24, "NetKey.port");
_Static_assert(__builtin_offsetof(struct picket_net_key, family) == 26, "NetKey.family");
_Static_assert(__builtin_offsetof(struct picket_net_key, protocol) == 27, "NetKey.protocol");
_Static_assert(__builtin_offsetof(struct picket_net_key, direction) == 28, "NetKey.direction");
_Static_assert(sizeof(struct picket_net_event) == 80, "NetEvent");
_Static_assert(__builtin_offsetof(struct picket_net_event, key) == 48, "NetEvent.key");

#endif
