#!/usr/bin/env bash
# The tour of `steer run`: a throw-away lab with two uplinks to one server, a client run through
# each uplink, and the address the server saw for every flow; the lab is removed at the end.
# (A stand-in for `steer demo`, which is not built yet: this script uses `ip`, product code won't.)
set -euo pipefail
steer=${STEER:-$(dirname "$0")/../artifacts/steer/steer}
id=stdemo-$$
host=$id-host server=$id-srv
cleanup() { ip netns pids "$server" 2>/dev/null | xargs -r kill 2>/dev/null || true; ip netns del "$host" 2>/dev/null || true; ip netns del "$server" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

ip netns add "$host"; ip netns add "$server"
ip -n "$host" link set lo up; ip -n "$server" link set lo up
ip link add up1 netns "$host" type veth peer name s1 netns "$server"
ip link add up2 netns "$host" type veth peer name s2 netns "$server"
ip -n "$host" addr add 10.1.0.2/24 dev up1; ip -n "$host" addr add 10.2.0.2/24 dev up2
ip -n "$server" addr add 10.1.0.1/24 dev s1; ip -n "$server" addr add 10.2.0.1/24 dev s2
ip -n "$host" addr add fd00:1::2/64 dev up1 nodad; ip -n "$host" addr add fd00:2::2/64 dev up2 nodad
ip -n "$server" addr add fd00:1::1/64 dev s1 nodad; ip -n "$server" addr add fd00:2::1/64 dev s2 nodad
ip -n "$server" addr add 10.9.0.1/32 dev lo; ip -n "$server" addr add fd00:9::1/128 dev lo
for d in up1 up2; do ip -n "$host" link set "$d" up; done
for d in s1 s2; do ip -n "$server" link set "$d" up; done
ip -n "$host" route add default via 10.1.0.1; ip -n "$host" -6 route add default via fd00:1::1
for n in 1 2; do
  ip -n "$host" route add default via 10.$n.0.1 table 10$n; ip -n "$host" -6 route add default via fd00:$n::1 table 10$n
  ip -n "$host" rule add oif up$n lookup 10$n; ip -n "$host" -6 rule add oif up$n lookup 10$n
done
# The server answers every TCP connection with the address it came from.
ip netns exec "$server" socat TCP6-LISTEN:8000,fork,reuseaddr,ipv6only=0 SYSTEM:'echo $SOCAT_PEERADDR' &
sleep 0.3

echo "lab: host --up1--> server, host --up2--> server; the main table's default route is up1"
for dst in 10.9.0.1 '[fd00:9::1]'; do
  plain=$(ip netns exec "$host" socat -T2 - "TCP:$dst:8000" </dev/null)
  printf '  %-14s without steer        server saw %s\n' "$dst" "$plain"
  for via in up1 up2; do
    seen=$(ip netns exec "$host" "$steer" run --via "$via" -- socat -T2 - "TCP:$dst:8000" </dev/null)
    printf '  %-14s steer run --via %s   server saw %s\n' "$dst" "$via" "$seen"
  done
done
echo "lab removed; nothing of Steer's is left (cgroups, pins) once each run ends"
