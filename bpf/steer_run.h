/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Structures shared by bpf/steer_run.bpf.c and Steer.Linux (SocketPlane/RunMaps.cs).
 * Change one side, change the other: the C# side mirrors these layouts byte for byte.
 */
#ifndef STEER_RUN_H
#define STEER_RUN_H

#include <linux/types.h>

/*
 * One entry, key 0, in map steer_run_state: the interface every socket of the run's
 * cgroup is bound to. The daemon may rewrite it while programs run:
 *   { .ifindex = 7, .flags = 0 }                    normal: bind to ifindex 7
 *   { .ifindex = 7, .flags = STEER_RUN_REFUSE_ALL } the interface is gone: refuse
 *                                                   every new socket and connect (EPERM)
 * An ifindex of 0 means "not configured yet" and is refused too, so a cgroup
 * with programs attached never has a window in which sockets go unbound.
 */
struct steer_run_state {
	__u32 ifindex;
	__u32 flags;
};

#define STEER_RUN_REFUSE_ALL 1u

#include "steer_cidr.h"

/*
 * Where a redirected DNS query was really going, per socket cookie, so that
 * replies on unconnected UDP sockets appear to come from it (recvmsg hooks).
 */
struct steer_dns_origin {
	__u8 addr[16]; /* IPv4 as v4-mapped */
	__u16 port;    /* network byte order */
	__u16 family;  /* AF_INET or AF_INET6 of the socket's own sockaddr */
};

/*
 * Read-only settings of one run (the .rodata section), written by the loader before load:
 *   steer run --via wg0 --dns 10.64.0.1  ->  { .dns_addr = ::ffff:10.64.0.1, .dns_port = htons(53),
 *                                              .dns_enabled = 1, .dns_is_v4 = 1, .ifname = "wg0" }
 */
struct steer_run_config {
	__u8 dns_addr[16]; /* IPv4 as v4-mapped */
	__u16 dns_port;    /* network byte order */
	__u8 dns_enabled;
	__u8 dns_is_v4;
	char ifname[16];   /* for SO_BINDTODEVICE requests, which name an interface */
};

#endif
