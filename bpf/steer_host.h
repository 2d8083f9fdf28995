/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Shared between bpf/steer_host.bpf.c and src/Steer.Linux/SocketPlane/HostMaps.cs. */
#ifndef STEER_HOST_H
#define STEER_HOST_H

#include <linux/types.h>

/*
 * A decision: this destination address leaves through this interface, until it expires.
 * Written by the name plane (the resolver) before it answers; keyed by the address, IPv4 in
 * steer_decisions4 (4-byte key), IPv6 in steer_decisions6 (16-byte key).
 */
struct steer_decision {
	__u32 ifindex;
	__u32 rule;        /* the rule's id, for `steer decision` and explanations */
	__u64 expires_ns;  /* CLOCK_BOOTTIME (bpf_ktime_get_boot_ns); 0 = never */
};

struct steer_decision6_key {
	__u8 addr[16];
};

/* CIDR rules (`steer rule add 10.8.0.0/16 wg0`): LPM tries keyed as in steer_cidr.h. */
#include "steer_cidr.h"

/*
 * Fixed while the programs live. Sockets of processes inside Steer's own cgroup subtree are
 * never touched: the daemon (its upstream queries must not be captured by its own decisions)
 * and `steer run` cgroups (they keep their own binding, excluded destinations included).
 */
struct steer_host_config {
	__u64 own_cgroup_id;    /* CGROUP2/steer; 0 = none */
	__u32 own_cgroup_level; /* its depth below the cgroup2 root (root = 0) */
	__u32 pad;
};

#endif
