// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * steer run: every IPv4/IPv6 socket of one cgroup leaves through one interface.
 *
 * steer_sock_create  binds new sockets to the interface (sk->bound_dev_if) before any packet
 *                    exists, where that is possible (see the comment there).
 * steer_connect4/6   bind the socket for a steered destination, leave or make it unbound for an
 *                    excluded one (loopback by default), and redirect port 53 to --dns.
 * steer_sendmsg4/6   the same for unconnected UDP datagrams; a datagram whose socket had to be
 *                    (re)bound is refused, since the kernel routed it before the hook ran.
 * steer_recvmsg4/6   make redirected DNS replies look as if they came from the original server.
 * steer_setsockopt   refuses SO_BINDTODEVICE & co. to another interface, so no process inside,
 *                    not even root, can rebind a socket with a plain setsockopt().
 */
#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "steer_run.h"

#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOL_SOCKET 1
#define SOL_IP 0
#define SOL_IPV6 41
#define SO_BINDTODEVICE 25
#define SO_BINDTOIFINDEX 62
#define IP_UNICAST_IF 50
#define IPV6_UNICAST_IF 76
#define DNS_PORT 53
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_UDPLITE 136

#define ALLOW 1
#define REFUSE 0 /* the syscall fails with EPERM */

/* Fixed for the life of a run; set by the loader before the programs are verified. */
const volatile struct steer_run_config config = {};

#define dns_enabled config.dns_enabled
#define dns_addr config.dns_addr
#define dns_port config.dns_port
#define dns_is_v4 config.dns_is_v4
#define ifname config.ifname

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct steer_run_state);
} steer_run_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16); /* resized by the loader to the exclusion count */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct steer_cidr_key);
	__type(value, __u8);
} steer_excluded SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16); /* resized by the loader to the IPv4 exclusion count */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct steer_cidr4_key);
	__type(value, __u8);
} steer_excluded4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct steer_dns_origin);
} steer_dns_origins SEC(".maps");

static __always_inline const struct steer_run_state *run_state(void)
{
	__u32 zero = 0;
	const struct steer_run_state *state = bpf_map_lookup_elem(&steer_run_state, &zero);

	if (!state || state->ifindex == 0 || (state->flags & STEER_RUN_REFUSE_ALL))
		return 0;
	return state;
}

static __always_inline void v4_mapped(__u8 addr[16], __u32 ip4)
{
	__builtin_memset(addr, 0, 10);
	addr[10] = 0xff;
	addr[11] = 0xff;
	__builtin_memcpy(&addr[12], &ip4, 4);
}

static __always_inline int is_v4_mapped(const __u8 addr[16])
{
	for (int i = 0; i < 10; i++)
		if (addr[i])
			return 0;
	return addr[10] == 0xff && addr[11] == 0xff;
}

static __always_inline int is_excluded(const __u8 addr[16])
{
	const __u8 *excluded;

	if (is_v4_mapped(addr)) {
		struct steer_cidr4_key key4 = { .prefixlen = 32 };

		__builtin_memcpy(key4.addr, &addr[12], 4);
		excluded = bpf_map_lookup_elem(&steer_excluded4, &key4);
	} else {
		struct steer_cidr_key key = { .prefixlen = 128 };

		__builtin_memcpy(key.addr, addr, 16);
		excluded = bpf_map_lookup_elem(&steer_excluded, &key);
	}
	return excluded && *excluded;
}

/* Binds the socket to the run's interface, or unbinds it for an excluded destination. */
static __always_inline int bind_for(struct bpf_sock_addr *ctx, const struct steer_run_state *state,
				    const __u8 dest[16])
{
	int want = is_excluded(dest) ? 0 : (int)state->ifindex;
	struct bpf_sock *sk = ctx->sk;

	if (sk && sk->bound_dev_if == (__u32)want)
		return ALLOW;
	if (bpf_setsockopt(ctx, SOL_SOCKET, SO_BINDTOIFINDEX, &want, sizeof(want)))
		return REFUSE; /* fail closed: never let the socket go out unbound */
	return ALLOW;
}

/*
 * Port 53 goes to the --dns resolver. Returns the destination the socket will use.
 * An IPv4 socket cannot reach an IPv6 resolver: such a query is refused rather than leaked.
 */
/*
 * Stores each word at a constant offset from the context register: the verifier refuses a store
 * through a derived pointer (ctx + 8), which clang otherwise likes to form for adjacent fields.
 */
static __always_inline void write_ip6(struct bpf_sock_addr *ctx, const __u32 words[4])
{
	barrier_var(ctx);
	ctx->user_ip6[0] = words[0];
	barrier_var(ctx);
	ctx->user_ip6[1] = words[1];
	barrier_var(ctx);
	ctx->user_ip6[2] = words[2];
	barrier_var(ctx);
	ctx->user_ip6[3] = words[3];
}

/*
 * Reads the resolver's address byte by byte through the volatile settings: a memcpy from a cast
 * that drops `volatile` lets clang fold the zero initialiser instead of reading what the loader set.
 */
static __always_inline void load_dns_addr(__u8 out[16])
{
	int i;

#pragma unroll
	for (i = 0; i < 16; i++)
		out[i] = dns_addr[i];
}

static __always_inline int redirect_dns4(struct bpf_sock_addr *ctx, __u8 dest[16], int remember)
{
	struct steer_dns_origin origin = { .family = AF_INET };
	__u32 ip4;

	if (!dns_enabled || ctx->user_port != bpf_htons(DNS_PORT))
		return ALLOW;
	if (!dns_is_v4)
		return REFUSE;
	origin.port = ctx->user_port;
	__builtin_memcpy(origin.addr, dest, 16);
	load_dns_addr(dest);
	__builtin_memcpy(&ip4, &dest[12], 4);
	ctx->user_ip4 = ip4;
	ctx->user_port = dns_port;
	if (remember) {
		__u64 cookie = bpf_get_socket_cookie(ctx);

		bpf_map_update_elem(&steer_dns_origins, &cookie, &origin, BPF_ANY);
	}
	return ALLOW;
}

static __always_inline int redirect_dns6(struct bpf_sock_addr *ctx, __u8 dest[16], int remember)
{
	struct steer_dns_origin origin = { .family = AF_INET6 };
	__u32 words[4];

	if (!dns_enabled || ctx->user_port != bpf_htons(DNS_PORT))
		return ALLOW;
	origin.port = ctx->user_port;
	__builtin_memcpy(origin.addr, dest, 16);
	/* An IPv4 resolver is reached from an IPv6 socket through its v4-mapped address. The context
	 * is written before any helper call: the verifier accepts context stores only at constant
	 * offsets from the context register, which a pointer spilled across a call no longer is. */
	load_dns_addr(dest);
	__builtin_memcpy(words, dest, 16);
	write_ip6(ctx, words);
	ctx->user_port = dns_port;
	if (remember) {
		__u64 cookie = bpf_get_socket_cookie(ctx);

		bpf_map_update_elem(&steer_dns_origins, &cookie, &origin, BPF_ANY);
	}
	return ALLOW;
}

static __always_inline void load_dest6(const struct bpf_sock_addr *ctx, __u8 dest[16])
{
	__u32 ip6[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2], ctx->user_ip6[3] };

	__builtin_memcpy(dest, ip6, 16);
}

/*
 * When to bind. The kernel lets a process change an existing binding only with CAP_NET_RAW,
 * also from our hooks (sock_bindtoindex_locked checks the current task), so a socket bound
 * here could never be unbound for an excluded destination by an unprivileged program. Hence:
 *  - TCP is bound at connect(), before its first packet: excluded destinations stay unbound.
 *  - UDP of root is bound here, so even the first unconnected datagram leaves through the
 *    interface; connect()/sendmsg() unbind it for excluded destinations (root may).
 *  - UDP of other users is bound at connect() or at its first sendmsg(); that first unconnected
 *    datagram, already routed when the hook runs, is refused rather than sent elsewhere.
 *  - Every other inet socket (raw, ICMP "ping" sockets) is bound here: no later hook sees them.
 */
SEC("cgroup/sock_create")
int steer_sock_create(struct bpf_sock *sk)
{
	const struct steer_run_state *state;

	if (sk->family != AF_INET && sk->family != AF_INET6)
		return ALLOW;
	state = run_state();
	if (!state)
		return REFUSE;
	if (sk->protocol == IPPROTO_TCP)
		return ALLOW;
	if ((sk->protocol == IPPROTO_UDP || sk->protocol == IPPROTO_UDPLITE) &&
	    (__u32)bpf_get_current_uid_gid() != 0)
		return ALLOW;
	sk->bound_dev_if = state->ifindex;
	return ALLOW;
}

static __always_inline int steer4(struct bpf_sock_addr *ctx, int remember)
{
	const struct steer_run_state *state = run_state();
	__u8 dest[16];

	if (!state)
		return REFUSE;
	v4_mapped(dest, ctx->user_ip4);
	if (redirect_dns4(ctx, dest, remember) == REFUSE)
		return REFUSE;
	return bind_for(ctx, state, dest);
}

static __always_inline int steer6(struct bpf_sock_addr *ctx, int remember)
{
	const struct steer_run_state *state = run_state();
	__u8 dest[16];

	if (!state)
		return REFUSE;
	load_dest6(ctx, dest);
	if (redirect_dns6(ctx, dest, remember) == REFUSE)
		return REFUSE;
	return bind_for(ctx, state, dest);
}

SEC("cgroup/connect4")
int steer_connect4(struct bpf_sock_addr *ctx)
{
	/* TCP and connected UDP: the kernel has not routed yet, so (un)binding here counts. */
	return steer4(ctx, ctx->type == SOCK_DGRAM);
}

SEC("cgroup/connect6")
int steer_connect6(struct bpf_sock_addr *ctx)
{
	return steer6(ctx, ctx->type == SOCK_DGRAM);
}

/*
 * Unconnected datagrams: the kernel routed this datagram with the socket's binding as it was
 * before the hook ran, so a binding made or changed here applies only from the next datagram on.
 * A datagram whose binding had to change is therefore refused (EPERM) after the binding is
 * corrected, never sent out of the wrong interface: the first datagram of an unprivileged UDP
 * socket, or the first after a switch between an excluded and a steered destination.
 */
static __always_inline int steer_sendmsg(struct bpf_sock_addr *ctx, int ipv6)
{
	struct bpf_sock *sk = ctx->sk;
	__u32 before = sk ? sk->bound_dev_if : 0;

	if ((ipv6 ? steer6(ctx, 1) : steer4(ctx, 1)) == REFUSE)
		return REFUSE;
	sk = ctx->sk;
	if (sk && sk->bound_dev_if != before)
		return REFUSE;
	return ALLOW;
}

SEC("cgroup/sendmsg4")
int steer_sendmsg4(struct bpf_sock_addr *ctx)
{
	return steer_sendmsg(ctx, 0);
}

SEC("cgroup/sendmsg6")
int steer_sendmsg6(struct bpf_sock_addr *ctx)
{
	return steer_sendmsg(ctx, 1);
}

/* The server a redirected DNS reply should appear to come from, or 0 if it is no such reply. */
static __always_inline const struct steer_dns_origin *dns_origin(struct bpf_sock_addr *ctx, __u16 family)
{
	const struct steer_dns_origin *origin;
	__u64 cookie;

	if (!dns_enabled || ctx->user_port != dns_port)
		return 0;
	cookie = bpf_get_socket_cookie(ctx);
	origin = bpf_map_lookup_elem(&steer_dns_origins, &cookie);
	return origin && origin->family == family ? origin : 0;
}

SEC("cgroup/recvmsg4")
int steer_recvmsg4(struct bpf_sock_addr *ctx)
{
	const struct steer_dns_origin *origin = dns_origin(ctx, AF_INET);
	__u32 ip4;

	if (!origin)
		return ALLOW;
	__builtin_memcpy(&ip4, &origin->addr[12], 4);
	ctx->user_ip4 = ip4;
	ctx->user_port = origin->port;
	return ALLOW;
}

SEC("cgroup/recvmsg6")
int steer_recvmsg6(struct bpf_sock_addr *ctx)
{
	const struct steer_dns_origin *origin = dns_origin(ctx, AF_INET6);
	__u32 words[4];
	__u16 port;

	if (!origin)
		return ALLOW;
	port = origin->port;
	__builtin_memcpy(words, origin->addr, 16);
	write_ip6(ctx, words);
	ctx->user_port = port;
	return ALLOW;
}

/* SO_BINDTODEVICE's value is a name; binding to our own interface stays allowed (curl --interface). */
static __always_inline int names_our_interface(const char *optval, const char *optval_end)
{
	int i;

	for (i = 0; i < 16; i++) {
		if (optval + i + 1 > optval_end)
			return ifname[i] == 0;
		if (optval[i] != ifname[i])
			return 0;
		if (ifname[i] == 0)
			return 1;
	}
	return 1;
}

SEC("cgroup/setsockopt")
int steer_setsockopt(struct bpf_sockopt *ctx)
{
	const struct steer_run_state *state = run_state();
	char *optval = ctx->optval;
	char *optval_end = ctx->optval_end;
	int ours;

	if (ctx->level == SOL_SOCKET && ctx->optname == SO_BINDTODEVICE) {
		ours = names_our_interface(optval, optval_end);
	} else if ((ctx->level == SOL_SOCKET && ctx->optname == SO_BINDTOIFINDEX) ||
		   (ctx->level == SOL_IP && ctx->optname == IP_UNICAST_IF) ||
		   (ctx->level == SOL_IPV6 && ctx->optname == IPV6_UNICAST_IF)) {
		if (optval + 4 > optval_end)
			return REFUSE;
		__u32 index = *(__u32 *)optval;
		/* IP_UNICAST_IF takes the index in network byte order, the others in host order. */
		if (ctx->level == SOL_IP)
			index = bpf_ntohl(index);
		ours = state && index == state->ifindex;
	} else {
		ours = 1;
	}
	/* Past one page the program sees a truncated copy: 0 tells the kernel to use the original. */
	if (ctx->optlen > 4096)
		ctx->optlen = 0;
	return ours ? ALLOW : REFUSE;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
