#!/usr/bin/env python3
"""ModSecurity v3 + OWASP CRS baseline for `cargo xtask eval`.

Reads corpus JSON Lines (shared/corpora/FORMAT.md), feeds each request to libmodsecurity with the
Debian CRS rules at the given paranoia level (detection only), and writes one line per request:
{"id": ..., "detected": bool, "ids": [attack rule ids]}. "detected" means an attack rule
(files 913, 921, 930-944) matched; anomaly scoring and protocol enforcement (911/920/922) are not
counted.
A summary line {"requests": N, "seconds": S} goes to stderr last.

Choices (see notes/modsecurity-baseline.md): PUT/PATCH/DELETE are allowed as an API operator would;
bodies over the limit are processed partially rather than rejected; REQUEST-910 (IP reputation)
is skipped because the wheel has no GeoIP; the wheel parses JSON but not XML bodies.

Installs what it needs idempotently: the `libmodsecurity` PyPI wheel and the Debian
`modsecurity-crs` package.
"""
import argparse
import base64
import glob
import json
import os
import subprocess
import sys
import time

CRS_DIR = "/usr/share/modsecurity-crs"


def ensure_deps():
    try:
        import libmodsecurity  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "libmodsecurity"], check=True)
    if not os.path.isdir(os.path.join(CRS_DIR, "rules")):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        if subprocess.run(["apt-get", "install", "-y", "modsecurity-crs"], env=env).returncode != 0:
            subprocess.run(["apt-get", "update"], env=env, check=True)
            subprocess.run(["apt-get", "install", "-y", "modsecurity-crs"], env=env, check=True)


# The parts of modsecurity.conf-recommended that matter for detection (body access, JSON/XML
# processors, limits); audit logging is off.
ENGINE_CONF = r"""
SecRuleEngine DetectionOnly
SecRequestBodyAccess On
SecRule REQUEST_HEADERS:Content-Type "^(?:application(?:/soap\+|/)|text/)xml" "id:200000,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML"
SecRule REQUEST_HEADERS:Content-Type "^application/json" "id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"
SecRequestBodyLimit 13107200
SecRequestBodyNoFilesLimit 1048576
SecRequestBodyLimitAction ProcessPartial
SecPcreMatchLimit 100000
SecPcreMatchLimitRecursion 100000
SecAuditEngine Off
"""


def build_rules(pl):
    from libmodsecurity import RulesSet

    rules = RulesSet()
    setup = os.path.join(CRS_DIR, "crs-setup.conf.example")
    if not os.path.exists(setup):
        setup = "/etc/modsecurity/crs/crs-setup.conf"
    text = ENGINE_CONF + open(setup).read()
    text += (
        f'\nSecAction "id:900000,phase:1,nolog,pass,t:none,setvar:tx.paranoia_level={pl}"\n'
        f'SecAction "id:900001,phase:1,nolog,pass,t:none,setvar:tx.executing_paranoia_level={pl}"\n'
        'SecAction "id:900200,phase:1,nolog,pass,t:none,'
        "setvar:'tx.allowed_methods=GET HEAD POST OPTIONS PUT PATCH DELETE'\"\n"
    )
    if rules.load(text) < 0:
        raise SystemExit("modsec: setup rules: " + rules.get_parser_error())
    for path in sorted(glob.glob(os.path.join(CRS_DIR, "rules", "REQUEST-*.conf"))):
        if "REQUEST-910" in path:
            continue
        if rules.load_from_uri(path) < 0:
            raise SystemExit(f"modsec: {path}: " + rules.get_parser_error())
    return rules


def is_attack_rule(rid):
    # Files 913 (scanners), 921 (protocol attacks), 930-944 (application attacks), as the corpus
    # labels them; protocol enforcement (911, 920, 922) flags malformed-but-harmless requests.
    return rid // 1000 in (913, 921) or 930 <= rid // 1000 <= 944


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--pl", type=int, default=1)
    args = ap.parse_args()
    ensure_deps()
    from libmodsecurity import ModSecurity, Transaction

    ms = ModSecurity()
    ms.set_log_callback(lambda _msg: None)
    rules = build_rules(args.pl)
    n = 0
    start = time.perf_counter()
    cpu_start = time.process_time()
    with open(args.input, encoding="utf-8") as inp, open(args.output, "w", encoding="utf-8") as out:
        for line in inp:
            try:
                r = json.loads(line)
            except ValueError:
                continue
            body = r.get("body", "")
            body = base64.b64decode(body) if r.get("body_encoding") == "base64" else body.encode("utf-8", "surrogateescape")
            version = r.get("version", "HTTP/1.1").replace("HTTP/", "") or "1.1"
            t = Transaction(ms, rules)
            try:
                t.process_connection("127.0.0.1", 40000, "127.0.0.1", 80)
                t.process_uri(r.get("uri", "/"), r.get("method", "GET"), version)
                for name, value in r.get("headers", []):
                    t.add_request_header(str(name), str(value))
                t.process_request_headers()
                if body:
                    t.append_request_body(body)
                t.process_request_body()
                ids = sorted({m.rule_id for m in t.get_rule_messages() if is_attack_rule(m.rule_id)})
            except Exception as e:  # one odd request must not end the baseline run
                print(f"modsec: {r.get('id')}: {e}", file=sys.stderr)
                ids = []
            finally:
                try:
                    t.process_logging()
                except Exception:
                    pass
            out.write(json.dumps({"id": r.get("id"), "detected": bool(ids), "ids": ids}) + "\n")
            n += 1
    secs = time.perf_counter() - start
    cpu_secs = time.process_time() - cpu_start
    # Unregister before exit: the binding crashes at interpreter shutdown otherwise.
    ms.set_log_callback(None)
    print(json.dumps({"requests": n, "seconds": secs, "cpu_seconds": cpu_secs}), file=sys.stderr)


if __name__ == "__main__":
    main()
