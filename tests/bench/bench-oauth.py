#!/usr/bin/env python3
# bench-oauth.py BUILDDIR [--delay-ms 50] [--runs 3]
#
# What getting a token from Microsoft Entra ID costs a checkup, in round trips behind the
# benchmark's fixed one-way latency (delay-proxy.py in front of both the scripted identity
# platform, tests/dmd_identity.py, and the scripted Exchange-like server): the oauth check's own
# time (from the JSON report) for client credentials and for the device code flow (approved at
# the first poll, the poll interval of 1 s taken out), and the whole checkup's wall time with
# each flow against the same checkup signing in with a password. Numbers only, no pass/fail.
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import dmd_identity  # noqa: E402

USER = dmd_identity.USERNAME
PASSWORD = "bench-Passw0rd"


def start(cmd, **kw):
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, **kw)
    line = p.stdout.readline()
    if not line.startswith("PORT "):
        raise SystemExit("could not start %s: %r" % (cmd[0], line))
    return p, int(line.split()[1])


def stop(p):
    try:
        p.stdin.close()
    except OSError:
        pass
    p.terminate()
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("builddir")
    ap.add_argument("--delay-ms", type=float, default=50)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    build = os.path.abspath(a.builddir)
    cli = os.path.join(build, "src/cli/device-mail-doctor-cli")
    server_bin = os.path.join(build, "tests/dmd-test-smtp-server")
    proxy_py = os.path.join(HERE, "delay-proxy.py")
    rtt = 2 * a.delay_ms / 1000
    tmp = tempfile.mkdtemp(prefix="dmd-bench-oauth-")
    procs = []
    try:
        certs = os.path.join(tmp, "certs")
        subprocess.run([os.path.join(HERE, "..", "make-test-certs.sh"), certs], check=True)
        ca = os.path.join(certs, "test-ca.pem")
        scen = os.path.join(tmp, "ok.ini")
        with open(scen, "w") as f:
            f.write("[server]\nprofile=exchange-submission\n[auth:LOGIN]\nusername=%s\npassword=%s\n"
                    "[auth:XOAUTH2]\ntoken_check=exchange\napp_mailboxes=%s\n"
                    % (USER, PASSWORD, USER))
        srv, sport = start([server_bin, scen, "--certs", certs])
        procs.append(srv)
        smtp_proxy, smtp_pport = start([sys.executable, proxy_py, "0", "127.0.0.1", str(sport),
                                        str(a.delay_ms)])
        procs.append(smtp_proxy)
        secret = os.path.join(tmp, "secret")
        with open(os.open(secret, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(dmd_identity.CLIENT_SECRET + "\n")

        def run(auth):
            idp = dmd_identity.IdentityServer({"device": "approve", "interval": "1"}, certs)
            iport = idp.start()
            id_proxy, id_pport = start([sys.executable, proxy_py, "0", "127.0.0.1", str(iport),
                                        str(a.delay_ms)])
            argv = [cli, "check", "--option=smtp-auth", "--server=smtp.office365.com",
                    "--connect-to=smtp.office365.com:587:127.0.0.1:%d" % smtp_pport,
                    "--connect-to=login.microsoftonline.com:443:127.0.0.1:%d" % id_pport,
                    "--ca-file=" + ca, "--username=" + USER, "--from=" + USER,
                    "--to=someone@contoso.com", "--timeout=10", "--format=json"]
            env = dict(os.environ, LANG="C.UTF-8")
            env.pop("DMD_PASSWORD", None)
            if auth == "password":
                env["DMD_PASSWORD"] = PASSWORD
            else:
                argv += ["--auth=" + auth, "--tenant=contoso.com",
                         "--client-id=" + dmd_identity.CLIENT_ID]
                if auth == "oauth-app":
                    argv.append("--client-secret-file=" + secret)
            t = time.monotonic()
            r = subprocess.run(argv, capture_output=True, text=True, env=env)
            wall = time.monotonic() - t
            stop(id_proxy)
            idp.stop()
            rep = json.loads(r.stdout)
            if rep["verdict"] not in ("pass", "warn"):
                raise SystemExit("%s: verdict %s\n%s" % (auth, rep["verdict"], r.stdout[:3000]))
            oauth = [c for c in rep["checks"] if c["id"] == "oauth"]
            return wall, (oauth[0]["elapsed_ms"] / 1000 if oauth else 0.0), len(idp.requests)

        results = {}
        for auth in ("password", "oauth-app", "oauth-device"):
            runs = [run(auth) for _ in range(a.runs)]
            results[auth] = (statistics.median(r[0] for r in runs),
                             statistics.median(r[1] for r in runs), runs[0][2])

        print("one-way delay: %.0f ms (round trip %.0f ms), %d runs each, medians"
              % (a.delay_ms, rtt * 1000, a.runs))
        base = results["password"][0]
        print("checkup with a password: %.3f s = %.1f round trips" % (base, base / rtt))
        for auth, wait in (("oauth-app", 0.0), ("oauth-device", 1.0)):
            wall, token, requests = results[auth]
            print("%s: oauth check %.3f s = %.1f round trips%s, %d HTTP requests; whole checkup "
                  "%.3f s = %.1f round trips, %+.1f round trips over the password run%s"
                  % (auth, token, (token - wait) / rtt,
                     " (the 1 s poll interval taken out)" if wait else "", requests, wall,
                     wall / rtt, (wall - wait - base) / rtt,
                     " (interval taken out)" if wait else ""))
    finally:
        for p in procs:
            stop(p)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
