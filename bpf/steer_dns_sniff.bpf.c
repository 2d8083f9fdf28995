// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Passive DNS: a socket filter on an AF_PACKET SOCK_DGRAM socket that lets through only DNS
 * answers, so a busy interface costs user space nothing but the answers themselves.
 *
 * steer_dns_sniff  keeps an IPv4 or IPv6 packet whose UDP or TCP source port is 53 (IPv6
 *                  extension headers skipped, fragments after the first dropped: they have no
 *                  port), arriving from outside (PACKET_HOST) or, when configured, sent by this
 *                  host (PACKET_OUTGOING); returns 0 (drop) for everything else.
 *
 * On a SOCK_DGRAM packet socket the kernel has already removed the link-layer header for every
 * device type (Ethernet, VLAN tags, none at all on TUN/WireGuard), so offset 0 is the IP header,
 * and bpf_skb_load_bytes reads it wherever it sits, also in paged (non-linear) data.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "steer_dns_sniff.h"

#define DNS_PORT 53
#define LOOPBACK_IFINDEX 1 /* lo has index 1 in every network namespace */
#define DROP 0
#define IPV4_FRAGMENT_OFFSET 0x1fff
#define IPV6_FRAGMENT_OFFSET 0xfff8
#define MAX_IPV6_EXTENSIONS 8 /* as IpPacketParser: more than any real packet carries */

/* IPv6 extension header numbers (RFC 8200 §4, RFC 4302). */
#define NEXTHDR_HOP 0
#define NEXTHDR_ROUTING 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_AUTH 51
#define NEXTHDR_DEST 60

const volatile struct steer_dns_sniff_config config = {};

/* skb->protocol is the EtherType. An outgoing packet that a device without VLAN offload sends
 * with its tag in the frame says 802.1Q/802.1ad there, while offset 0 is still the IP header. */
static __always_inline int is_protocol(struct __sk_buff *skb, __u16 ethertype)
{
	return skb->protocol == bpf_htons(ethertype) || skb->protocol == bpf_htons(ETH_P_8021Q)
	       || skb->protocol == bpf_htons(ETH_P_8021AD);
}

/* Source port 53 of the UDP or TCP header at l4: both put it in the first two bytes. */
static __always_inline int from_dns_port(struct __sk_buff *skb, __u32 l4, __u8 protocol)
{
	__be16 source;

	if (protocol != IPPROTO_UDP && protocol != IPPROTO_TCP)
		return 0;
	if (bpf_skb_load_bytes(skb, l4, &source, sizeof(source)))
		return 0;
	return source == bpf_htons(DNS_PORT);
}

static __always_inline int ipv4_answer(struct __sk_buff *skb)
{
	__u8 header[10]; /* version/IHL .. protocol */
	__be16 fragment;
	__u32 ihl;

	if (bpf_skb_load_bytes(skb, 0, header, sizeof(header)))
		return 0;
	ihl = (header[0] & 0x0f) * 4;
	if (ihl < 20)
		return 0;
	__builtin_memcpy(&fragment, &header[6], sizeof(fragment));
	/* A later fragment has no transport header to look at. The first one (offset 0, MF set)
	 * goes up: user space counts answers it cannot read because they were fragmented. */
	if (bpf_ntohs(fragment) & IPV4_FRAGMENT_OFFSET)
		return 0;
	return from_dns_port(skb, ihl, header[9]);
}

static __always_inline int ipv6_answer(struct __sk_buff *skb)
{
	__u8 next;
	__u32 offset = 40;

	if (bpf_skb_load_bytes(skb, 6, &next, sizeof(next)))
		return 0;
#pragma unroll
	for (int i = 0; i < MAX_IPV6_EXTENSIONS; i++) {
		__u8 ext[4]; /* next header, length, and for a fragment header its offset field */

		if (next != NEXTHDR_HOP && next != NEXTHDR_ROUTING && next != NEXTHDR_DEST
		    && next != NEXTHDR_FRAGMENT && next != NEXTHDR_AUTH)
			break;
		if (bpf_skb_load_bytes(skb, offset, ext, sizeof(ext)))
			return 0;
		if (next == NEXTHDR_FRAGMENT) {
			__be16 fragment;

			__builtin_memcpy(&fragment, &ext[2], sizeof(fragment));
			if (bpf_ntohs(fragment) & IPV6_FRAGMENT_OFFSET)
				return 0;
			offset += 8;
		} else if (next == NEXTHDR_AUTH) {
			offset += ((__u32)ext[1] + 2) * 4;
		} else {
			offset += ((__u32)ext[1] + 1) * 8;
		}
		next = ext[0];
	}
	return from_dns_port(skb, offset, next);
}

SEC("socket")
int steer_dns_sniff(struct __sk_buff *skb)
{
	__u8 version;

	if (skb->pkt_type != PACKET_HOST && !(skb->pkt_type == PACKET_OUTGOING && config.include_outgoing))
		return DROP;
	if (skb->ifindex == LOOPBACK_IFINDEX && !config.include_loopback)
		return DROP;
	if (bpf_skb_load_bytes(skb, 0, &version, sizeof(version)))
		return DROP;
	version >>= 4;
	if (version == 4 && is_protocol(skb, ETH_P_IP))
		return ipv4_answer(skb) ? skb->len : DROP;
	if (version == 6 && is_protocol(skb, ETH_P_IPV6))
		return ipv6_answer(skb) ? skb->len : DROP;
	return DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
