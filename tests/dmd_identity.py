#!/usr/bin/python3
# dmd_identity.py — a scripted Microsoft identity platform for the tests: HTTPS on loopback
# with the test CA's certificate for login.microsoftonline.com, the two OAuth endpoints the
# engine uses (POST /{tenant}/oauth2/v2.0/devicecode and /token), answers in Entra ID's own
# JSON shape (error, error_description "AADSTSnnnnn: …", error_codes, trace_id,
# correlation_id), and the faults a network adds (slow, dropped, closed, a proxy's web page).
#
# As a module (run-scenarios.py, the benchmark):
#     srv = IdentityServer(settings, certs_dir); port = srv.start(); …; srv.stop()
#     srv.secrets()   -> every secret it handed out or was sent (token, refresh token,
#                        device code, client secret), for the tests' secret grep
#     srv.requests    -> what it was asked: (endpoint, grant_type or None)
# As a program (the UI tests, by hand):
#     dmd_identity.py --certs BUILD/tests [--scenario FILE.ini] [--set key=value ...]
#   prints "PORT n", then "EVENT <endpoint> <grant or -> <answer>" per request, and serves
#   until standard input closes or SIGTERM.
#
# Settings (the [identity] group of a scenario, all optional):
#   tenant         the tenant the endpoint knows (contoso.com); any other: AADSTS90002
#   client_id      the app registration it knows (CLIENT_ID); any other: AADSTS700016
#   client_secret  the app's secret (CLIENT_SECRET); any other: AADSTS7000215
#   device         what the token polls answer, in turn, comma-separated; the last repeats:
#                  pending, slow_down, approve, declined, expired (default: pending,approve)
#   expires_in, interval   the device code's (900, 1)
#   error          an AADSTS number the endpoint answers with: at the device code request
#                  (90002, 700016), or where the token is issued (the others); error_at=
#                  devicecode|token overrides where
#   delay          seconds to wait before each answer; drop=true: never answer (the
#                  connection stays open); close=true: hang up without an answer;
#                  html=true: a proxy's block page (HTTP 403, text/html)
#   certificate    which test certificate: server (default), self-signed, expired, wrong-name
#   upn, aud, scp, roles   the token's claims (defaults: the delegated token of USERNAME for
#                  Exchange Online's SMTP.Send; app-only: roles SMTP.SendAsApp)
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import base64
import configparser
import http.server
import json
import os
import socket
import ssl
import sys
import threading
import time
import urllib.parse

USERNAME = 'scanner@contoso.com'
TENANT = 'contoso.com'
TENANT_ID = '72f988bf-0000-4000-8000-2d7cd011db47'
CLIENT_ID = '11111111-2222-4333-8444-555555555555'
# Never real ones: the tests grep every output for them.
CLIENT_SECRET = 'Xq8~test-client-secret.Value_0123456789abcdef'
DEVICE_CODE = 'DAQABAAEAAAD--test-device-code--9f8e7d6c5b4a39281706f5e4d3c2b1a0'
REFRESH_TOKEN = '0.ARoA-test-refresh-token-v1.AgABAAEAAAD--DeviceMailDoctor--never-real'
USER_CODE = 'HGKT7Q2LX'
VERIFICATION_URI = 'https://microsoft.com/devicelogin'
EXO_APP_ID = '00000002-0000-0ff1-ce00-000000000000'

# Entra ID's errors: HTTP status, OAuth error code, the first line of the description.
AADSTS = {
    90002: (400, 'invalid_request', "AADSTS90002: Tenant '{tenant}' not found. Check to make "
            "sure you have the correct tenant ID and are signing into the correct cloud."),
    900023: (400, 'invalid_request', "AADSTS900023: Specified tenant identifier '{tenant}' is "
             "neither a valid DNS name, nor a valid external domain."),
    700016: (400, 'unauthorized_client', "AADSTS700016: Application with identifier "
             "'{client_id}' was not found in the directory 'Contoso'. This can happen if the "
             "application has not been installed by the administrator of the tenant or "
             "consented to by any user in the tenant. You may have sent your authentication "
             "request to the wrong tenant."),
    7000215: (401, 'invalid_client', "AADSTS7000215: Invalid client secret provided. Ensure "
              "the secret being sent in the request is the client secret value, not the "
              "client secret ID, for a secret added to app '{client_id}'."),
    7000222: (401, 'invalid_client', "AADSTS7000222: The provided client secret keys for app "
              "'{client_id}' are expired. Visit the Azure portal to create new keys for your "
              "app: https://aka.ms/NewClientSecret, or consider using certificate credentials "
              "for added security: https://aka.ms/certCreds."),
    65001: (400, 'invalid_grant', "AADSTS65001: The user or administrator has not consented "
            "to use the application with ID '{client_id}' named 'Scanner'. Send an "
            "interactive authorization request for this user and resource."),
    50076: (400, 'invalid_grant', "AADSTS50076: Due to a configuration change made by your "
            "administrator, or because you moved to a new location, you must use multi-factor "
            "authentication to access '00000002-0000-0ff1-ce00-000000000000'."),
    50079: (400, 'interaction_required', "AADSTS50079: Due to a configuration change made by "
            "your administrator, or because you moved to a new location, you must enroll in "
            "multi-factor authentication to access '00000002-0000-0ff1-ce00-000000000000'."),
    53003: (400, 'invalid_grant', "AADSTS53003: Access has been blocked by Conditional Access "
            "policies. The access policy does not allow token issuance."),
    7000218: (401, 'invalid_client', "AADSTS7000218: The request body must contain the "
              "following parameter: 'client_assertion' or 'client_secret'."),
    70011: (400, 'invalid_scope', "AADSTS70011: The provided request must include a 'scope' "
            "input parameter. The provided value for the input parameter 'scope' is not valid."),
}
# Errors of the device code request itself (the tenant and the app are looked up first).
AT_DEVICECODE = {90002, 900023, 700016}

DEVICE_STATES = {
    'pending': ('authorization_pending', 70016, "AADSTS70016: OAuth 2.0 device flow error. "
                "Authorization is pending. Continue polling."),
    'slow_down': ('slow_down', None, 'Slow down.'),
    'declined': ('authorization_declined', None, 'The end user denied the authorization '
                 'request.'),
    'expired': ('expired_token', 70020, "AADSTS70020: The provided value for the input "
                "parameter 'device_code' is not valid. This device code has expired."),
}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode()


def make_jwt(claims, tag):
    header = {'alg': 'RS256', 'typ': 'JWT', 'kid': 'identity-test'}
    return '.'.join([b64url(json.dumps(header, sort_keys=True).encode()),
                     b64url(json.dumps(claims, sort_keys=True).encode()),
                     b64url(b'identity-test-signature-' + tag.encode())])


def token_for(settings, flow):
    """The access token this endpoint issues: fixed times, so the tests can predict it."""
    client_id = settings.get('client_id', CLIENT_ID)
    claims = {'iss': 'https://sts.windows.net/%s/' % TENANT_ID, 'tid': TENANT_ID,
              'appid': client_id, 'iat': 1767225600, 'nbf': 1767225600, 'exp': 4102444800}
    if flow == 'device':
        claims.update({'aud': 'https://outlook.office.com', 'scp': 'SMTP.Send',
                       'upn': USERNAME, 'name': 'Scanner'})
    else:
        claims.update({'aud': 'https://outlook.office365.com', 'roles': ['SMTP.SendAsApp'],
                       'oid': 'aaaaaaaa-1111-4222-8333-bbbbbbbbbbbb'})
    for key in ('upn', 'aud', 'scp'):
        if key in settings:
            claims[key] = settings[key]
    if 'roles' in settings:
        claims['roles'] = [r for r in settings['roles'].split() if r]
    return make_jwt(claims, flow)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'Microsoft-IIS/10.0'
    sys_version = ''

    def log_message(self, fmt, *args):  # quiet: the owner records what matters
        pass

    def do_POST(self):
        srv = self.server.owner
        st = srv.settings
        length = int(self.headers.get('Content-Length') or 0)
        form = urllib.parse.parse_qs(self.rfile.read(min(length, 65536)).decode('utf-8',
                                                                             'replace'))
        field = lambda k: form.get(k, [''])[0]
        parts = self.path.split('/')
        # /{tenant}/oauth2/v2.0/{endpoint}
        tenant = urllib.parse.unquote(parts[1]) if len(parts) > 1 else ''
        endpoint = parts[-1] if len(parts) == 5 and parts[2:4] == ['oauth2', 'v2.0'] else '?'
        grant = field('grant_type') or None
        for k in ('client_secret', 'device_code'):
            if field(k):
                srv.sent_secrets.add(field(k))
        srv.requests.append((endpoint, grant))

        if st.get('drop') == 'true':
            # Never answer: the connection stays open until the server stops.
            srv.note(endpoint, grant, 'dropped')
            srv.stopping.wait()
            self.close_connection = True
            return
        if st.get('delay'):
            time.sleep(float(st['delay']))
        if st.get('close') == 'true':
            srv.note(endpoint, grant, 'closed')
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if st.get('html') == 'true':
            body = b'<html><body><h1>Access denied by the web filter</h1></body></html>'
            self.answer(403, body, 'text/html', endpoint, grant, 'html')
            return

        code, obj = self.decide(st, tenant, endpoint, grant, field)
        body = json.dumps(obj).encode()
        note = obj.get('error') or ('device_code' if 'device_code' in obj else 'token')
        self.answer(code, body, 'application/json; charset=utf-8', endpoint, grant, note)

    def answer(self, code, body, ctype, endpoint, grant, note):
        self.server.owner.note(endpoint, grant, '%d %s' % (code, note))
        self.send_response(code)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        self.send_header('Cache-Control', 'no-store, no-cache')
        self.end_headers()
        self.wfile.write(body)

    def error(self, number, tenant, client_id):
        status, err, text = AADSTS[number]
        return status, self.error_object(err, number, text.format(tenant=tenant,
                                                                  client_id=client_id))

    @staticmethod
    def error_object(err, number, text):
        return {'error': err,
                'error_description': text + '\r\nTrace ID: 0b6e9b1c-test-trace\r\n'
                'Correlation ID: 7d1f2c3a-test-correlation\r\nTimestamp: 2026-12-04 10:00:00Z',
                'error_codes': [number] if number else [],
                'timestamp': '2026-12-04 10:00:00Z',
                'trace_id': '0b6e9b1c-test-trace',
                'correlation_id': '7d1f2c3a-test-correlation',
                'error_uri': 'https://login.microsoftonline.com/error?code=%s' % (number or '')}

    def decide(self, st, tenant, endpoint, grant, field):
        srv = self.server.owner
        client_id = field('client_id')
        forced = int(st['error']) if st.get('error') else None
        forced_at = st.get('error_at') or ('devicecode' if forced in AT_DEVICECODE else 'token')
        if endpoint not in ('devicecode', 'token'):
            return 404, self.error_object('invalid_request', 900561, 'AADSTS900561: The '
                                          'endpoint only accepts POST requests.')
        if tenant.lower() not in (st.get('tenant', TENANT).lower(), TENANT_ID):
            return self.error(90002, tenant, client_id)
        if client_id != st.get('client_id', CLIENT_ID):
            return self.error(700016, tenant, client_id)
        if forced and forced_at == endpoint and (endpoint == 'devicecode' or
                                                 grant != 'urn:ietf:params:oauth:grant-type:'
                                                          'device_code' or
                                                 srv.next_state_peek() == 'approve'):
            return self.error(forced, tenant, client_id)
        if endpoint == 'devicecode':
            return 200, {'user_code': USER_CODE, 'device_code': DEVICE_CODE,
                         'verification_uri': VERIFICATION_URI,
                         'expires_in': int(st.get('expires_in', 900)),
                         'interval': int(st.get('interval', 1)),
                         'message': 'To sign in, use a web browser to open the page %s and '
                                    'enter the code %s to authenticate.' % (VERIFICATION_URI,
                                                                           USER_CODE)}
        if grant == 'client_credentials':
            if field('client_secret') != st.get('client_secret', CLIENT_SECRET):
                return self.error(7000215, tenant, client_id)
            return 200, self.token(st, 'app', refresh=False)
        if grant == 'urn:ietf:params:oauth:grant-type:device_code':
            if field('device_code') != DEVICE_CODE:
                return 400, self.error_object('invalid_grant', 70000, 'AADSTS70000: The '
                                              'provided value for the device code is not '
                                              'valid.')
            state = srv.next_state()
            if state == 'approve':
                return 200, self.token(st, 'device', refresh=True)
            err, number, text = DEVICE_STATES[state]
            return 400, self.error_object(err, number, text)
        return 400, self.error_object('unsupported_grant_type', 70003, 'AADSTS70003: The app '
                                      'requested an unsupported grant type.')

    def token(self, st, flow, refresh):
        srv = self.server.owner
        tok = token_for(st, flow)
        srv.issued.add(tok)
        obj = {'token_type': 'Bearer', 'expires_in': 3599, 'ext_expires_in': 3599,
               'access_token': tok}
        if flow == 'device':
            obj['scope'] = 'https://outlook.office.com/SMTP.Send'
        if refresh:
            obj['refresh_token'] = REFRESH_TOKEN
            srv.issued.add(REFRESH_TOKEN)
        return obj


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class IdentityServer:
    def __init__(self, settings, certs, on_event=None):
        self.settings = dict(settings or {})
        self.certs = certs
        self.on_event = on_event
        self.requests = []
        self.events = []
        self.issued = set()
        self.sent_secrets = set()
        self._states = [s.strip() for s in self.settings.get('device', 'pending,approve')
                        .split(',') if s.strip()]
        self._state_lock = threading.Lock()
        self.stopping = threading.Event()
        self._httpd = None
        self._thread = None

    def set_device(self, states):
        """What the next polls answer from now on (a test approves once it has seen the
        code)."""
        with self._state_lock:
            self._states = [x.strip() for x in states.split(',') if x.strip()]

    def next_state_peek(self):
        with self._state_lock:
            return self._states[0]

    def next_state(self):
        with self._state_lock:
            state = self._states[0]
            if len(self._states) > 1:
                self._states.pop(0)
            return state

    def note(self, endpoint, grant, what):
        line = '%s %s %s' % (endpoint, grant or '-', what)
        self.events.append(line)
        if self.on_event:
            self.on_event(line)

    def secrets(self):
        return {CLIENT_SECRET, DEVICE_CODE, REFRESH_TOKEN} | self.issued | self.sent_secrets

    def start(self):
        name = self.settings.get('certificate', 'server')
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(self.certs, 'test-%s.pem' % name),
                            os.path.join(self.certs, 'test-server-key.pem'))
        ctx.set_alpn_protocols(['http/1.1'])
        self._httpd = _Server(('127.0.0.1', 0), Handler)
        self._httpd.owner = self
        self._httpd.socket = ctx.wrap_socket(self._httpd.socket, server_side=True)
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={'poll_interval': 0.1}, daemon=True)
        self._thread.start()
        return self._httpd.server_address[1]

    def stop(self):
        self.stopping.set()
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()


def settings_from_ini(path):
    ini = configparser.ConfigParser(interpolation=None, delimiters=('=',),
                                    comment_prefixes=('#', ';'))
    ini.optionxform = str
    with open(path, encoding='utf-8') as f:
        ini.read_file(f)
    return dict(ini['identity']) if ini.has_section('identity') else {}


def main():
    ap = argparse.ArgumentParser(description='A scripted Microsoft identity platform (tests).')
    ap.add_argument('--certs', required=True)
    ap.add_argument('--scenario')
    ap.add_argument('--set', action='append', default=[], metavar='KEY=VALUE')
    args = ap.parse_args()
    settings = settings_from_ini(args.scenario) if args.scenario else {}
    for kv in args.set:
        k, _, v = kv.partition('=')
        settings[k] = v
    out_lock = threading.Lock()

    def on_event(line):
        with out_lock:
            print('EVENT ' + line, flush=True)

    srv = IdentityServer(settings, args.certs, on_event)
    port = srv.start()
    print('PORT %d' % port, flush=True)
    try:
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    srv.stop()


if __name__ == '__main__':
    main()
