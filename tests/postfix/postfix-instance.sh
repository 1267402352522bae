#!/bin/sh
# tests/postfix/postfix-instance.sh DIR CERTDIR — a private Postfix instance on loopback,
# run in the foreground as a child of whoever calls this (exec postfix start-fg).
#
# Nothing under /etc is touched: configuration, queue, data, log and the SASL database all
# live in DIR (created; must be empty or absent). CERTDIR is the output of
# tests/make-test-certs.sh (test-server.pem, test-server-key.pem, for localhost/127.0.0.1).
# Needs root (Postfix drops to its own user) and Postfix + Cyrus SASL (sasl2-bin).
#
# Before Postfix starts, DIR/ports.env is written, one NAME=PORT per line, with ports that
# were free a moment before:
#   PLAIN     STARTTLS optional, AUTH allowed in clear (smtpd_tls_auth_only=no)
#   TLS12     STARTTLS required, TLS >= 1.2 only (1.0/1.1 refused in the handshake)
#   TLS13     STARTTLS required, TLS 1.3 only
#   SENDER    as TLS12, but restrictions answered at MAIL FROM (smtpd_delay_reject=no), so
#             the sender_access 550 5.7.60 comes there and not at RCPT TO
#   RELAYCERT a relay that trusts a client certificate, as a connector with
#             TlsSenderCertificateName does: STARTTLS asks for one (smtpd_tls_ask_ccert) and
#             only CERTDIR/test-client.pem (its SHA-256 in relay_clientcerts) may relay;
#             without it, or with another, RCPT TO gets "554 5.7.1 … Relay access denied"
# The caller waits until the ports accept connections (~0.5 s). The log is DIR/maillog.
#
# The SASL user is alice@probe.test with the password in $POSTFIX_TEST_PASSWORD (required:
# the caller's test password, never a real one). sender_access refuses blocked@probe.test
# with "550 5.7.60 SMTP; Client does not have permissions to send as this sender".
#
# Stop it with: postfix -c DIR/etc stop   (start-fg then returns).
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

dir=${1:?usage: postfix-instance.sh DIR CERTDIR}
certs=${2:?usage: postfix-instance.sh DIR CERTDIR}
: "${POSTFIX_TEST_PASSWORD:?set POSTFIX_TEST_PASSWORD}"

PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
command -v postfix >/dev/null || { echo "postfix-instance.sh: postfix is not installed" >&2; exit 3; }
command -v saslpasswd2 >/dev/null || { echo "postfix-instance.sh: saslpasswd2 (sasl2-bin) is not installed" >&2; exit 3; }
[ "$(id -u)" -eq 0 ] || { echo "postfix-instance.sh: needs root" >&2; exit 3; }

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
mkdir -p "$dir/etc/sasl" "$dir/queue" "$dir/data" "$dir/tls"
chown postfix "$dir/data"                     # the data directory must be postfix-owned

cp "$certs/test-server.pem" "$dir/tls/cert.pem"
cp "$certs/test-server-key.pem" "$dir/tls/key.pem"
chmod 644 "$dir/tls/cert.pem"
chmod 600 "$dir/tls/key.pem"

# Free ports: bind port 0, read the number, close. Another process could take one in
# between; the caller then sees Postfix fail to bind and can retry.
free_ports() {
  /usr/bin/python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    socks.append(s)
print(' '.join(str(s.getsockname()[1]) for s in socks))
EOF
}
set -- $(free_ports 5)
p_plain=$1 p_tls12=$2 p_tls13=$3 p_sender=$4 p_relaycert=$5

# The SHA-256 fingerprint of the trusted client certificate (DER), as Postfix writes it.
/usr/bin/python3 - "$certs/test-client.pem" >"$dir/etc/relay_clientcerts" <<'EOF'
import base64, hashlib, re, sys
pem = open(sys.argv[1]).read()
der = base64.b64decode(re.search(r'-----BEGIN CERTIFICATE-----(.*?)-----END', pem, re.S).group(1))
digest = hashlib.sha256(der).hexdigest().upper()
print(':'.join(digest[i:i + 2] for i in range(0, len(digest), 2)), 'mfp.contoso.com')
EOF

printf '%s\n' "$POSTFIX_TEST_PASSWORD" \
  | saslpasswd2 -p -c -f "$dir/etc/sasl/sasldb2" -u probe.test alice
chown root:postfix "$dir/etc/sasl/sasldb2"
chmod 640 "$dir/etc/sasl/sasldb2"

# Debian's Postfix reads $config_directory/sasl/smtpd.conf (cyrus_sasl_config_path is ignored).
cat >"$dir/etc/sasl/smtpd.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
sasldb_path: $dir/etc/sasl/sasldb2
mech_list: PLAIN LOGIN
EOF

# texthash needs no postmap.
cat >"$dir/etc/sender_access" <<'EOF'
blocked@probe.test 550 5.7.60 SMTP; Client does not have permissions to send as this sender
EOF

cat >"$dir/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
maillog_file_prefixes = $dir
maillog_file = $dir/maillog
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.probe.test
mydestination =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
# A TEST-NET address: loopback clients must authenticate to relay.
mynetworks = 192.0.2.1/32
relay_domains =
default_transport = discard:
local_transport = discard:
relay_transport = discard:
smtpd_banner = \$myhostname ESMTP Probe
smtpd_tls_cert_file = $dir/tls/cert.pem
smtpd_tls_key_file = $dir/tls/key.pem
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
smtpd_sasl_security_options = noanonymous
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_sender_restrictions = check_sender_access texthash:$dir/etc/sender_access
smtpd_tls_fingerprint_digest = sha256
relay_clientcerts = texthash:$dir/etc/relay_clientcerts
EOF

svc() {  # $1 port, then -o options
  port=$1; shift
  printf '127.0.0.1:%s inet n - n - - smtpd\n' "$port"
  for o in "$@"; do printf '  -o %s\n' "$o"; done
}
{
  svc "$p_plain" smtpd_tls_auth_only=no
  svc "$p_tls12" smtpd_tls_security_level=encrypt 'smtpd_tls_mandatory_protocols=>=TLSv1.2'
  svc "$p_tls13" smtpd_tls_security_level=encrypt 'smtpd_tls_mandatory_protocols=>=TLSv1.3' \
      'smtpd_tls_protocols=>=TLSv1.3'
  svc "$p_sender" smtpd_tls_security_level=encrypt 'smtpd_tls_mandatory_protocols=>=TLSv1.2' \
      smtpd_delay_reject=no
  svc "$p_relaycert" smtpd_tls_security_level=may smtpd_tls_ask_ccert=yes \
      smtpd_relay_restrictions=permit_tls_clientcerts,reject_unauth_destination
  # Debian's stock services, chroot off.
  cat <<'EOF'
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
} >"$dir/etc/master.cf"

cat >"$dir/ports.env" <<EOF
PLAIN=$p_plain
TLS12=$p_tls12
TLS13=$p_tls13
SENDER=$p_sender
RELAYCERT=$p_relaycert
EOF

# start-fg runs `postfix check` itself (creating the queue directories the first time).
exec postfix -c "$dir/etc" start-fg
