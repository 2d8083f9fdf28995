/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * LPM trie keys shared by steer_run (exclusions) and steer_host (CIDR rules); mirrored once in
 * src/Steer.Linux/SocketPlane/RunMaps.cs (SteerCidrKey, SteerCidr4Key).
 */
#ifndef STEER_CIDR_H
#define STEER_CIDR_H

#include <linux/types.h>

/*
 * Keys of the exclusion tries (BPF_MAP_TYPE_LPM_TRIE, value __u8: 1 excluded).
 * One trie per family: IPv4 keys are 4 bytes, so a connect() to an IPv4 address compares
 * one word per trie node instead of the four an IPv4-mapped IPv6 key would cost (this is on
 * the path of every connect and unconnected send). An IPv4-mapped destination
 * (::ffff:a.b.c.d, a dual-stack socket) is looked up in the IPv4 trie, as what it is; an
 * IPv6 exclusion, even ::/0, therefore never covers IPv4.
 */
struct steer_cidr_key {
	__u32 prefixlen;
	__u8 addr[16];
};

struct steer_cidr4_key {
	__u32 prefixlen;
	__u8 addr[4];
};

#endif
