// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The host-wide socket plane: a socket connecting (or sending) to an address the name plane has
 * decided is bound to the decided interface before its first packet.
 *
 * steer_host_connect4/6  TCP and connected UDP: bind, or refuse when the decided interface is gone.
 * steer_host_sendmsg4/6  unconnected UDP: the same; a datagram whose socket had to be (re)bound
 *                        here is refused (EPERM) because the kernel routed it before this hook
 *                        ran — the application's next datagram leaves bound. Never a leak.
 *
 * A socket this plane bound is remembered (socket storage): if it later talks to an address
 * decided for another interface (an unconnected UDP socket, a UDP socket connected again), it is
 * rebound, or refused when the kernel does not allow the rebinding (an unprivileged process
 * needs CAP_NET_RAW to change a binding). To an undecided address it keeps its binding: unbinding
 * would cost a refused datagram at every switch, and the routing table has no claim to defend.
 *
 * Untouched: sockets bound to an interface by anyone else (the application chose, or a `steer
 * run` program, which runs before this one as it sits on a descendant cgroup), processes inside
 * Steer's own cgroup subtree (the daemon; `steer run` cgroups), loopback destinations, undecided
 * and expired addresses on unbound sockets (the routing table decides), and sockets other than
 * TCP and UDP.
 */
#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "steer_host.h"

#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOL_SOCKET 1
#define SO_BINDTOIFINDEX 62

#define ALLOW 1
#define REFUSE 0 /* the syscall fails with EPERM */

const volatile struct steer_host_config config = {};

/* The decision maps are preallocated (no BPF_F_NO_PREALLOC): an update takes an element from a
 * per-CPU free list. Without preallocation one update in about fifty refills the allocator's cache
 * in bulk, and that one update took 30-45 us instead of 2-5 (p99, measured with the resolver's
 * pace of updates): time that an answer waits for. The cost is memory for every entry up front
 * (about 72 bytes for IPv4 and 80 for IPv6 per entry, plus the buckets), sized by dns.max-decisions. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536); /* set by the loader */
	__type(key, __u32);
	__type(value, struct steer_decision);
} steer_decisions4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536); /* set by the loader */
	__type(key, struct steer_decision6_key);
	__type(value, struct steer_decision);
} steer_decisions6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4096); /* set by the loader */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct steer_cidr4_key);
	__type(value, struct steer_decision);
} steer_cidr4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4096); /* set by the loader */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct steer_cidr_key);
	__type(value, struct steer_decision);
} steer_cidr6 SEC(".maps");

/* The interface this plane bound a socket to; gone with the socket. */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u32);
} steer_host_bound SEC(".maps");

static __always_inline int is_steers_own(void)
{
	__u64 own = config.own_cgroup_id;

	return own && bpf_get_current_ancestor_cgroup_id(config.own_cgroup_level) == own;
}

/* A decision in force: present and not expired (an expired one is the sweeper's to remove). */
static __always_inline int in_force(const struct steer_decision *decision)
{
	return decision && !(decision->expires_ns && decision->expires_ns < bpf_ktime_get_boot_ns());
}

/* A decision for the address itself (from a name) comes first; then the longest CIDR rule. */
static __always_inline const struct steer_decision *decided4(__u32 ip4)
{
	const struct steer_decision *decision;
	struct steer_cidr4_key key = { .prefixlen = 32 };

	if ((bpf_ntohl(ip4) >> 24) == 127)
		return 0;
	decision = bpf_map_lookup_elem(&steer_decisions4, &ip4);
	if (decision)
		return decision;
	__builtin_memcpy(key.addr, &ip4, 4);
	return bpf_map_lookup_elem(&steer_cidr4, &key);
}

static __always_inline const struct steer_decision *decided6(const __u32 words[4])
{
	struct steer_decision6_key key;

	/* ::ffff:a.b.c.d from a dual-stack socket is IPv4 on the wire. */
	if (words[0] == 0 && words[1] == 0 && words[2] == bpf_htonl(0xffff))
		return decided4(words[3]);
	if (words[0] == 0 && words[1] == 0 && words[2] == 0 && words[3] == bpf_htonl(1))
		return 0;
	const struct steer_decision *decision;
	struct steer_cidr_key cidr = { .prefixlen = 128 };

	__builtin_memcpy(key.addr, words, 16);
	decision = bpf_map_lookup_elem(&steer_decisions6, &key);
	if (decision)
		return decision;
	__builtin_memcpy(cidr.addr, words, 16);
	return bpf_map_lookup_elem(&steer_cidr6, &cidr);
}

static __always_inline void read_ip6(const struct bpf_sock_addr *ctx, __u32 words[4])
{
	words[0] = ctx->user_ip6[0];
	words[1] = ctx->user_ip6[1];
	words[2] = ctx->user_ip6[2];
	words[3] = ctx->user_ip6[3];
}

/*
 * Binds the socket as the decision says. Returns ALLOW when nothing had to change, CHANGED when
 * the socket is now bound to the decided interface, REFUSE when it could not be (fail closed:
 * the process may not change an existing binding, or the socket could not be remembered).
 * An index no interface has binds all the same (SO_BINDTOIFINDEX does not check it); the
 * kernel's route lookup then fails (ENODEV, ENETUNREACH): a vanished interface leaks nothing.
 */
#define CHANGED 2

static __always_inline int steer(struct bpf_sock_addr *ctx, const struct steer_decision *decision)
{
	struct bpf_sock *sk = ctx->sk;
	__u32 *ours;
	int ifindex;

	if (!sk || (ctx->type != SOCK_STREAM && ctx->type != SOCK_DGRAM))
		return ALLOW;
	if (!in_force(decision) || sk->bound_dev_if == decision->ifindex)
		return ALLOW;
	if (is_steers_own())
		return ALLOW;
	if (sk->bound_dev_if) {
		/* Someone else's binding (the application, `steer run`) is never touched; ours is
		 * corrected, since this address is decided for another interface. */
		ours = bpf_sk_storage_get(&steer_host_bound, sk, 0, 0);
		if (!ours || *ours != sk->bound_dev_if)
			return ALLOW;
	} else {
		/* Remembered before binding: a socket we bound but could not mark would later count
		 * as the application's, and keep its binding for another decided address. */
		ours = bpf_sk_storage_get(&steer_host_bound, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		if (!ours)
			return REFUSE;
	}
	ifindex = (int)decision->ifindex;
	if (bpf_setsockopt(ctx, SOL_SOCKET, SO_BINDTOIFINDEX, &ifindex, sizeof(ifindex)))
		return REFUSE;
	*ours = decision->ifindex;
	return CHANGED;
}

SEC("cgroup/connect4")
int steer_host_connect4(struct bpf_sock_addr *ctx)
{
	/* TCP and connected UDP: the kernel routes after this hook, so the binding counts at once. */
	return steer(ctx, decided4(ctx->user_ip4)) == REFUSE ? REFUSE : ALLOW;
}

SEC("cgroup/connect6")
int steer_host_connect6(struct bpf_sock_addr *ctx)
{
	__u32 words[4];

	read_ip6(ctx, words);
	return steer(ctx, decided6(words)) == REFUSE ? REFUSE : ALLOW;
}

/* The datagram at hand was routed before this hook: a binding made here is for the next one,
 * so the one at hand is refused rather than sent out of the interface it was routed to. */
SEC("cgroup/sendmsg4")
int steer_host_sendmsg4(struct bpf_sock_addr *ctx)
{
	return steer(ctx, decided4(ctx->user_ip4)) == ALLOW ? ALLOW : REFUSE;
}

SEC("cgroup/sendmsg6")
int steer_host_sendmsg6(struct bpf_sock_addr *ctx)
{
	__u32 words[4];

	read_ip6(ctx, words);
	return steer(ctx, decided6(words)) == ALLOW ? ALLOW : REFUSE;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
