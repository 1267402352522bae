#!/usr/bin/env python3
# bench-checkup.py BUILDDIR [--delay-ms 50] [--runs 3]
#
# The speed benchmark of issue 3: a full smtp-auth checkup (TLS version matrix included, no
# DATA) against the scripted Exchange-like server behind a fixed one-way latency, and swaks
# doing the same steps in the same run (one authenticated run to RCPT TO, plus one run per TLS
# version). Prints the checkup's wall time in round trips, the ratio to swaks, and the time from
# cancel (SIGINT) to the end of a run against a silent server. Numbers only, no pass/fail.
import argparse, os, shutil, signal, statistics, subprocess, sys, tempfile, time

USER = "bench@contoso.com"
PASSWORD = "bench-Passw0rd"
HERE = os.path.dirname(os.path.abspath(__file__))

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

def timed(cmd, **kw):
    t = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    return time.monotonic() - t, r

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("builddir")
    ap.add_argument("--delay-ms", type=float, default=50)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    build = os.path.abspath(a.builddir)
    cli = os.path.join(build, "src/cli/device-mail-doctor-cli")
    server_bin = os.path.join(build, "tests/dmd-test-smtp-server")
    rtt = 2 * a.delay_ms / 1000
    tmp = tempfile.mkdtemp(prefix="dmd-bench-")
    try:
        certs = os.path.join(tmp, "certs")
        subprocess.run([os.path.join(HERE, "..", "make-test-certs.sh"), certs], check=True)
        scen = os.path.join(tmp, "ok.ini")
        with open(scen, "w") as f:
            f.write("[server]\nprofile=exchange-submission\n[auth]\nusername=%s\npassword=%s\n" % (USER, PASSWORD))
        stall = os.path.join(tmp, "stall.ini")
        with open(stall, "w") as f:
            f.write("[server]\nprofile=exchange-submission\n[banner]\naction=stall\n")

        srv, sport = start([server_bin, scen, "--certs", certs])
        proxy, pport = start([sys.executable, os.path.join(HERE, "delay-proxy.py"), "0", "127.0.0.1", str(sport), str(a.delay_ms)])
        env = dict(os.environ, DMD_PASSWORD=PASSWORD, LANG="C.UTF-8")
        ca = os.path.join(certs, "test-ca.pem")
        check = [cli, "check", "--option=smtp-auth", "--server=smtp.office365.com",
                 "--connect-to=smtp.office365.com:587:127.0.0.1:%d" % pport, "--ca-file=" + ca,
                 "--username=" + USER, "--from=" + USER, "--to=someone@contoso.com",
                 "--timeout=10", "--format=json"]
        ours = []
        for _ in range(a.runs):
            t, r = timed(check, env=env)
            if '"schema"' not in r.stdout:
                print(r.stdout, r.stderr)
                raise SystemExit("the checkup did not produce a report")
            ours.append(t)

        swaks = ["swaks", "--server", "127.0.0.1", "--port", str(pport), "--tls",
                 "--tls-ca-path", ca, "--tls-verify-host", "smtp.office365.com",
                 "--auth", "LOGIN", "--auth-user", USER, "--auth-password", PASSWORD,
                 "--from", USER, "--to", "someone@contoso.com", "--quit-after", "RCPT",
                 "--timeout", "10"]
        theirs = []
        for _ in range(a.runs):
            total, r = timed(swaks)
            if r.returncode != 0:
                swaks_verify = [x for x in swaks if x not in ("--tls-verify-host", "smtp.office365.com")]
                total, r = timed(swaks_verify)
            for proto in ("tlsv1", "tlsv1_1", "tlsv1_2", "tlsv1_3"):
                t, _ = timed(["swaks", "--server", "127.0.0.1", "--port", str(pport), "--tls",
                              "--tls-protocol", proto, "--tls-cipher", "DEFAULT:@SECLEVEL=0",
                              "--quit-after", "HELO", "--timeout", "10"])
                total += t
            theirs.append(total)
        stop(proxy)
        stop(srv)

        # Cancel: a server that never greets; SIGINT after half a second.
        srv, sport = start([server_bin, stall, "--certs", certs])
        cancels = []
        for _ in range(a.runs):
            p = subprocess.Popen([cli, "check", "--option=smtp-auth", "--server=smtp.office365.com",
                                  "--connect-to=smtp.office365.com:587:127.0.0.1:%d" % sport,
                                  "--ca-file=" + ca, "--username=" + USER, "--from=" + USER,
                                  "--to=someone@contoso.com", "--timeout=30", "--format=json"],
                                 env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            time.sleep(0.5)
            t = time.monotonic()
            p.send_signal(signal.SIGINT)
            p.wait(30)
            cancels.append(time.monotonic() - t)
        stop(srv)

        m_ours, m_theirs = statistics.median(ours), statistics.median(theirs)
        print("one-way delay: %.0f ms (round trip %.0f ms), %d runs each, medians" % (a.delay_ms, rtt * 1000, a.runs))
        print("checkup (smtp-auth, TLS matrix, AUTH LOGIN, MAIL+RCPT, no DATA): %.3f s = %.1f round trips" % (m_ours, m_ours / rtt))
        print("swaks (1 authenticated run to RCPT + 4 TLS-version runs): %.3f s = %.1f round trips" % (m_theirs, m_theirs / rtt))
        print("ratio checkup/swaks: %.2f" % (m_ours / m_theirs))
        print("cancel to end of run: %.0f ms (max %.0f ms)" % (statistics.median(cancels) * 1000, max(cancels) * 1000))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

if __name__ == "__main__":
    main()
