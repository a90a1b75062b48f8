#!/usr/bin/env python3
"""Detection tuning helper. Runs `wallarm-oob-processing scan` over the corpora and our benign
fixture, then prints TPR/FPR split into a TUNING half and a HOLDOUT half:
  - httpparams: split=train is tuning, split=test is holdout;
  - crs: test number odd (crs-<rule>-<odd>[-sK]) is tuning, even is holdout.
Only look at tuning misses / tuning false positives; the holdout figure tells whether a change
generalises. Usage:
  miss.py BIN summary                 # rates per source, per type, tune vs holdout
  miss.py BIN miss TYPE [SOURCE]      # tuning misses of one attack type
  miss.py BIN fp                      # tuning false positives (corpora) + all fixture FPs
  miss.py BIN hits TYPE               # what we report on tuning records of TYPE (to check types/points)
Scan output goes to $MISS_OUT (default /tmp/miss-$USER-<pid of worktree>), one dir per worktree.
"""
import collections, json, os, subprocess, sys, hashlib

bin_ = os.path.abspath(sys.argv[1]); mode = sys.argv[2] if len(sys.argv) > 2 else "summary"
root = os.path.dirname(os.path.dirname(os.path.dirname(bin_)))  # <worktree>/target/<profile>/bin
CORPORA = os.environ.get("CORPORA") or os.path.join(root, "..", "shared", "corpora")
outdir = os.environ.get("MISS_OUT") or "/tmp/miss-" + hashlib.md5(root.encode()).hexdigest()[:8]
os.makedirs(outdir, exist_ok=True)
fixture = os.path.join(root, "processing/testdata/benign.jsonl")

def scan(path, name):
    out = os.path.join(outdir, name + ".jsonl")
    with open(out, "w") as f:
        subprocess.run([bin_, "scan", "--input", path], stdout=f, stderr=subprocess.DEVNULL, check=True)
    return {json.loads(l)["id"]: json.loads(l)["attacks"] for l in open(out)}

def holdout(r):
    if r["source"] == "httpparams":
        return r.get("split") == "test"
    parts = r["id"].split("-")
    try:
        return int(parts[2]) % 2 == 0
    except (IndexError, ValueError):
        return False

recs = []
res = {}
for src in ("crs", "httpparams"):
    recs += [json.loads(l) for l in open(f"{CORPORA}/{src}/requests.jsonl")]
    res.update(scan(f"{CORPORA}/{src}/requests.jsonl", src))
fx = scan(fixture, "fixture") if os.path.exists(fixture) else {}

def short(r):
    h = [x for x in r["headers"] if x[0].lower() not in ("host", "user-agent", "accept", "connection", "content-length",
         "accept-encoding", "accept-language")]
    return f'{r["id"]} PL{r.get("crs_paranoia_level")} {r["method"]} {r["uri"][:300]!r} BODY={r["body"][:300]!r} H={h[:5]}'

if mode == "summary":
    for src in ("crs", "httpparams", "all"):
        rows = collections.defaultdict(lambda: [0, 0, 0, 0])  # tune hit,tot, hold hit,tot
        fp = [0, 0, 0, 0]
        for r in recs:
            if src != "all" and r["source"] != src: continue
            hit = bool(res.get(r["id"])); k = 2 if holdout(r) else 0
            if r["label"] == "attack":
                for t in r["attack_types"] + ["ALL"]:
                    rows[t][k] += hit; rows[t][k + 1] += 1
            elif r["label"] == "benign":
                fp[k] += hit; fp[k + 1] += 1
        pct = lambda a, b: f"{100*a/b:6.2f}%" if b else "     -"
        print(f"== {src}: attacks TPR tune/holdout/all ; benign FPR tune/holdout/all")
        for t, (a, b, c, d) in sorted(rows.items(), key=lambda x: -(x[1][1] + x[1][3])):
            print(f"  {t:26} {pct(a,b)} {pct(c,d)} {pct(a+c,b+d)}  miss {b-a+d-c:4}/{b+d}")
        print(f"  {'BENIGN FP':26} {pct(fp[0],fp[1])} {pct(fp[2],fp[3])} {pct(fp[0]+fp[2],fp[1]+fp[3])}  fp {fp[0]+fp[2]}/{fp[1]+fp[3]}")
    n = sum(1 for v in fx.values() if v)
    print(f"== fixture {fixture}: {n}/{len(fx)} benign requests flagged")
elif mode == "miss":
    t = sys.argv[3]; src = sys.argv[4] if len(sys.argv) > 4 else None
    for r in recs:
        if r["label"] == "attack" and t in r["attack_types"] and not holdout(r) and not res.get(r["id"]) \
                and (src is None or r["source"] == src):
            print(short(r), "| payload=" + repr(r.get("payload", ""))[:200] if r.get("payload") else "")
elif mode == "hits":
    t = sys.argv[3]
    for r in recs:
        if r["label"] == "attack" and t in r["attack_types"] and not holdout(r) and res.get(r["id"]):
            print(r["id"], json.dumps(res[r["id"]])[:300])
elif mode == "fp":
    for r in recs:
        if r["label"] == "benign" and not holdout(r) and res.get(r["id"]):
            print(short(r)); print("    ->", json.dumps(res[r["id"]])[:300])
    print("-- fixture:")
    for k, v in fx.items():
        if v: print(k, json.dumps(v)[:300])
