/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Settings of bpf/steer_dns_sniff.bpf.c, mirrored by Steer.PassiveDns (Capture/SniffSettings.cs).
 * Change one side, change the other: the C# side mirrors this layout byte for byte.
 *
 * They are read-only globals (.rodata) set before load, so the verifier sees constants:
 *   { .include_outgoing = 0, .include_loopback = 0 }  default: answers arriving from outside
 *   { .include_outgoing = 1, .include_loopback = 1 }  also answers this host sends, and lo
 */
#ifndef STEER_DNS_SNIFF_H
#define STEER_DNS_SNIFF_H

#include <linux/types.h>

struct steer_dns_sniff_config {
	__u8 include_outgoing; /* also PACKET_OUTGOING: answers this host sends or forwards out */
	__u8 include_loopback; /* also ifindex 1 (lo): answers between local programs */
	__u8 pad[2];
};

#endif
