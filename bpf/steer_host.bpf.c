// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The host-wide socket plane: a socket connecting (or sending) to an address the name plane has
 * decided is bound to the decided interface before its first packet.
 *
 * steer_host_connect4/6  TCP and connected UDP: bind, or refuse when the decided interface is gone.
 * steer_host_sendmsg4/6  unconnected UDP: the same; a datagram whose socket had to be bound here
 *                        is refused (EPERM) because the kernel routed it before this hook ran —
 *                        the application's next datagram leaves bound. Never a leak.
 *
 * Untouched: sockets already bound to an interface (the application chose, or a `steer run`
 * program, which runs before this one as it sits on a descendant cgroup), processes inside
 * Steer's own cgroup subtree (the daemon; `steer run` cgroups), loopback destinations, undecided
 * and expired addresses (the routing table decides), and sockets other than TCP and UDP.
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

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536); /* set by the loader */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct steer_decision);
} steer_decisions4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536); /* set by the loader */
	__uint(map_flags, BPF_F_NO_PREALLOC);
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
	__type(key, struct steer_cidr6_key);
	__type(value, struct steer_decision);
} steer_cidr6 SEC(".maps");

static __always_inline int is_steers_own(void)
{
	__u64 own = config.own_cgroup_id;

	return own && bpf_get_current_ancestor_cgroup_id(config.own_cgroup_level) == own;
}

static __always_inline int applies(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;

	if (ctx->type != SOCK_STREAM && ctx->type != SOCK_DGRAM)
		return 0;
	if (!sk || sk->bound_dev_if)
		return 0;
	return !is_steers_own();
}

/* A decision in force: present and not expired (an expired one is the sweeper's to remove). */
static __always_inline int in_force(const struct steer_decision *decision)
{
	return decision && !(decision->expires_ns && decision->expires_ns < bpf_ktime_get_boot_ns());
}

/* Binds the socket as decided. Returns ALLOW, or REFUSE when binding failed (fail closed). */
static __always_inline int bind_as_decided(struct bpf_sock_addr *ctx, const struct steer_decision *decision)
{
	int ifindex;

	if (!in_force(decision))
		return ALLOW;
	ifindex = (int)decision->ifindex;
	/* The interface may be gone (ENODEV): the flow is refused, never let out unbound. */
	if (bpf_setsockopt(ctx, SOL_SOCKET, SO_BINDTOIFINDEX, &ifindex, sizeof(ifindex)))
		return REFUSE;
	return ALLOW;
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
	struct steer_cidr6_key cidr = { .prefixlen = 128 };

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

SEC("cgroup/connect4")
int steer_host_connect4(struct bpf_sock_addr *ctx)
{
	if (!applies(ctx))
		return ALLOW;
	return bind_as_decided(ctx, decided4(ctx->user_ip4));
}

SEC("cgroup/connect6")
int steer_host_connect6(struct bpf_sock_addr *ctx)
{
	__u32 words[4];

	if (!applies(ctx))
		return ALLOW;
	read_ip6(ctx, words);
	return bind_as_decided(ctx, decided6(words));
}

/* The datagram at hand was routed before this hook: bind for the next one, refuse this one. */
static __always_inline int bind_for_next_datagram(struct bpf_sock_addr *ctx, const struct steer_decision *decision)
{
	if (!in_force(decision))
		return ALLOW;
	bind_as_decided(ctx, decision);
	return REFUSE;
}

SEC("cgroup/sendmsg4")
int steer_host_sendmsg4(struct bpf_sock_addr *ctx)
{
	if (!applies(ctx))
		return ALLOW;
	return bind_for_next_datagram(ctx, decided4(ctx->user_ip4));
}

SEC("cgroup/sendmsg6")
int steer_host_sendmsg6(struct bpf_sock_addr *ctx)
{
	__u32 words[4];

	if (!applies(ctx))
		return ALLOW;
	read_ip6(ctx, words);
	return bind_for_next_datagram(ctx, decided6(words));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
