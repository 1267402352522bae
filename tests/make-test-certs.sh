#!/bin/sh
# tests/make-test-certs.sh OUTDIR — a throw-away test PKI, made at build time with certtool
# (gnutls-bin). Never install these files, never trust them outside tests.
#
# Writes into OUTDIR (the meson target `test_certs` puts them in <builddir>/tests/; tests find
# them with g_test_build_filename (G_TEST_BUILT, "test-ca.pem", NULL)):
#
#   test-ca.pem              the test CA (trust it with --ca-file / the extra CA argument)
#   test-ca-key.pem          its key
#   test-server-key.pem      the one RSA key every server certificate below uses
#   test-server.pem          leaf signed by the CA, valid now, for the names
#                              localhost, smtp.office365.com, smtp.hve.mx.microsoft,
#                              smtp-hve.office365.com, login.microsoftonline.com
#                              (the scripted identity endpoint, tests/dmd_identity.py),
#                              contoso-com.mail.protection.outlook.com, 127.0.0.1, ::1
#   test-server-chain.pem    test-server.pem followed by test-ca.pem (a server sending its chain)
#   test-expired.pem         same names, signed by the CA, expired on 2021-01-01
#   test-not-yet-valid.pem   same names, signed by the CA, valid from 2099-01-01
#   test-wrong-name.pem      signed by the CA, valid now, only for wrong-name.example
#   test-self-signed.pem     self-signed (not by the CA), same names as test-server.pem
#   test-client.pem          a device's client certificate (relay connectors that trust a
#   test-client-key.pem        certificate), signed by the CA, for mfp.contoso.com, and its key
#   test-client-other.pem    another device's certificate, self-signed, for
#   test-client-other-key.pem  printer.fabrikam.example (its own key): the one a connector
#                              does not trust
#
# Run by hand: tests/make-test-certs.sh /tmp/certs
set -eu

out=${1:?usage: make-test-certs.sh OUTDIR}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

certtool=${CERTTOOL:-certtool}
ct() { "$certtool" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }; }

names='dns_name = "localhost"
dns_name = "smtp.office365.com"
dns_name = "smtp.hve.mx.microsoft"
dns_name = "smtp-hve.office365.com"
dns_name = "login.microsoftonline.com"
dns_name = "contoso-com.mail.protection.outlook.com"
ip_address = "127.0.0.1"
ip_address = "::1"'

cat >"$tmp/ca.tmpl" <<EOF
organization = "Device Mail Doctor tests"
cn = "Device Mail Doctor Test CA"
serial = 1
expiration_days = 3650
ca
cert_signing_key
crl_signing_key
EOF

server_tmpl() {  # $1 file, $2 cn, $3 serial, $4 validity lines, $5 names
  cat >"$1" <<EOF
organization = "Device Mail Doctor tests"
cn = "$2"
serial = $3
$4
$5
tls_www_server
signing_key
encryption_key
EOF
}

server_tmpl "$tmp/server.tmpl" localhost 2 'expiration_days = 3650' "$names"
server_tmpl "$tmp/expired.tmpl" localhost 3 \
  'activation_date = "2020-01-01 00:00:00"
expiration_date = "2021-01-01 00:00:00"' "$names"
server_tmpl "$tmp/notyet.tmpl" localhost 4 \
  'activation_date = "2099-01-01 00:00:00"
expiration_date = "2100-01-01 00:00:00"' "$names"
server_tmpl "$tmp/wrong.tmpl" wrong-name.example 5 'expiration_days = 3650' \
  'dns_name = "wrong-name.example"'
server_tmpl "$tmp/self.tmpl" localhost 6 'expiration_days = 3650' "$names"

client_tmpl() {  # $1 file, $2 cn, $3 serial
  cat >"$1" <<EOF
organization = "Device Mail Doctor tests"
cn = "$2"
serial = $3
expiration_days = 3650
dns_name = "$2"
tls_www_client
signing_key
EOF
}
client_tmpl "$tmp/client.tmpl" mfp.contoso.com 7
client_tmpl "$tmp/client-other.tmpl" printer.fabrikam.example 8

ct --generate-privkey --key-type=rsa --bits=2048 --outfile "$tmp/ca-key.pem"
ct --generate-privkey --key-type=rsa --bits=2048 --outfile "$tmp/server-key.pem"
ct --generate-self-signed --load-privkey "$tmp/ca-key.pem" --template "$tmp/ca.tmpl" \
   --outfile "$tmp/ca.pem"

signed() {  # $1 template, $2 output
  ct --generate-certificate --load-privkey "$tmp/server-key.pem" \
     --load-ca-certificate "$tmp/ca.pem" --load-ca-privkey "$tmp/ca-key.pem" \
     --template "$1" --outfile "$2"
}
signed "$tmp/server.tmpl" "$tmp/server.pem"
signed "$tmp/expired.tmpl" "$tmp/expired.pem"
signed "$tmp/notyet.tmpl" "$tmp/notyet.pem"
signed "$tmp/wrong.tmpl" "$tmp/wrong.pem"
ct --generate-self-signed --load-privkey "$tmp/server-key.pem" --template "$tmp/self.tmpl" \
   --outfile "$tmp/self.pem"

# Client certificates: ECDSA keys (quick to make; devices use RSA or ECDSA alike).
ct --generate-privkey --key-type=ecdsa --outfile "$tmp/client-key.pem"
ct --generate-privkey --key-type=ecdsa --outfile "$tmp/client-other-key.pem"
ct --generate-certificate --load-privkey "$tmp/client-key.pem" \
   --load-ca-certificate "$tmp/ca.pem" --load-ca-privkey "$tmp/ca-key.pem" \
   --template "$tmp/client.tmpl" --outfile "$tmp/client.pem"
ct --generate-self-signed --load-privkey "$tmp/client-other-key.pem" \
   --template "$tmp/client-other.tmpl" --outfile "$tmp/client-other.pem"

cat "$tmp/server.pem" "$tmp/ca.pem" >"$tmp/server-chain.pem"

# certtool writes a text dump before the PEM block: keep only the PEM blocks.
pem_only() { sed -n '/^-----BEGIN/,/^-----END/p' "$1" >"$2"; }
pem_only "$tmp/ca.pem"           "$out/test-ca.pem"
pem_only "$tmp/ca-key.pem"       "$out/test-ca-key.pem"
pem_only "$tmp/server-key.pem"   "$out/test-server-key.pem"
pem_only "$tmp/server.pem"       "$out/test-server.pem"
pem_only "$tmp/server-chain.pem" "$out/test-server-chain.pem"
pem_only "$tmp/expired.pem"      "$out/test-expired.pem"
pem_only "$tmp/notyet.pem"       "$out/test-not-yet-valid.pem"
pem_only "$tmp/wrong.pem"        "$out/test-wrong-name.pem"
pem_only "$tmp/self.pem"         "$out/test-self-signed.pem"
pem_only "$tmp/client.pem"           "$out/test-client.pem"
pem_only "$tmp/client-key.pem"       "$out/test-client-key.pem"
pem_only "$tmp/client-other.pem"     "$out/test-client-other.pem"
pem_only "$tmp/client-other-key.pem" "$out/test-client-other-key.pem"
chmod 600 "$out/test-ca-key.pem" "$out/test-server-key.pem" "$out/test-client-key.pem" \
  "$out/test-client-other-key.pem"
