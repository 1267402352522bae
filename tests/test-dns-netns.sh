#!/bin/sh
# test-dns-netns.sh — the DNS code through the system resolver against a real DNS server.
#
#   test-dns-netns.sh TEST-DNS-SYSTEM DNSMASQ-CONF
#
# In a private network namespace and mount namespace (unshare: nothing outside changes), a veth
# pair gets 10.53.0.1, dnsmasq serves tests/data/zones/dnsmasq.conf there, and a bind-mounted
# /etc/resolv.conf points glibc at it; test-dns-system then runs with DMD_DNS_NETNS=served.
# A second run points resolv.conf at 10.53.0.99, where nothing answers (blackhole): deadlines
# and cancellation against a lookup thread glibc keeps blocked.
#
# Needs root, unshare, ip and dnsmasq (Debian: dnsmasq-base). Without them it is skipped
# (exit 77), except in CI (CI=true), where a skipped integration test is a failure.
set -eu

bin=$1
conf=$2

skip() {
  if [ "${CI:-}" = true ]; then
    echo "test-dns-netns: cannot run in CI: $*" >&2
    exit 1
  fi
  echo "test-dns-netns: skipped: $*" >&2
  exit 77
}

if [ "${DMD_DNS_NETNS_INSIDE:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || skip "needs root for a network namespace"
  for tool in unshare ip mount; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool is missing"
  done
  PATH=$PATH:/usr/sbin:/sbin
  command -v dnsmasq >/dev/null 2>&1 || skip "dnsmasq is missing (Debian: apt-get install dnsmasq-base)"
  DMD_DNS_NETNS_INSIDE=1 PATH=$PATH exec unshare --net --mount --propagation private "$0" "$@"
fi

# Inside: only lo exists, mounts are private.
tmp=$(mktemp -d)
dnsmasq_pid=
cleanup() {
  st=$?
  if [ -n "$dnsmasq_pid" ]; then
    kill "$dnsmasq_pid" 2>/dev/null || true
    wait "$dnsmasq_pid" 2>/dev/null || true
  fi
  umount /etc/resolv.conf 2>/dev/null || true
  umount /etc/resolv.conf 2>/dev/null || true
  rm -rf "$tmp" 2>/dev/null || true
  exit $st
}
trap cleanup EXIT

ip link set lo up
ip link add dmd0 type veth peer name dmd1
ip addr add 10.53.0.1/24 dev dmd0
ip -6 addr add fd53::1/64 dev dmd0 nodad   # glibc's AI_ADDRCONFIG wants an address per family
ip link set dmd0 up
ip link set dmd1 up

dnsmasq --keep-in-foreground --conf-file="$conf" --pid-file= --user=root --log-facility="$tmp/dnsmasq.log" &
dnsmasq_pid=$!

echo "nameserver 10.53.0.1" > "$tmp/resolv.conf"
echo "options timeout:5 attempts:2" >> "$tmp/resolv.conf"
mount --bind "$tmp/resolv.conf" /etc/resolv.conf

ready=
for _ in $(seq 1 50); do
  if getent ahostsv4 ready.test >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.1
done
[ -n "$ready" ] || { cat "$tmp/dnsmasq.log" >&2 || true; echo "dnsmasq did not answer" >&2; exit 1; }

status=0
echo "# served: dnsmasq at 10.53.0.1"
DMD_DNS_NETNS=served "$bin" || status=1

printf 'nameserver 10.53.0.99\noptions timeout:5 attempts:2\n' > "$tmp/resolv-blackhole.conf"
mount --bind "$tmp/resolv-blackhole.conf" /etc/resolv.conf
echo "# blackhole: nothing answers at 10.53.0.99"
DMD_DNS_NETNS=blackhole "$bin" || status=1

if [ $status -ne 0 ]; then
  echo "# dnsmasq log:"
  sed 's/^/# /' "$tmp/dnsmasq.log" | tail -60
fi
exit $status
