#!/usr/bin/env python3
"""Builds processing/testdata/benign.jsonl: benign requests of the shapes real APIs carry, for the
`benign_fixtures_stay_clean` test. Not the corpora: our own fixtures, so a detector change that
starts flagging ordinary traffic fails a unit test for anyone who clones the project.

Values are (a) hand-written realistic cases — names with apostrophes, prose with SQL and shell
words, search syntax, code snippets, rich-text HTML, URLs and file names in parameters — and
(b) real text sampled from this machine: npm package.json documents (JSON API payloads, URLs),
Python standard-library docstrings (English prose with quotes and punctuation) and source lines.
Deterministic for a given machine (seeded); re-run to refresh, then review the diff.

    python3 xtask/scripts/gen_benign.py > processing/testdata/benign.jsonl
"""
import glob
import json
import os
import random
import re
import sys
import urllib.parse

rng = random.Random(20261201)

UAS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "okhttp/4.12.0",
    "python-requests/2.32.3",
    "Go-http-client/2.0",
    "grpc-java-netty/1.64.0",
    "PostmanRuntime/7.42.0",
    "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/AP2A.240805.005)",
]

COOKIES = [
    "_ga=GA1.2.1234567890.1712345678; _gid=GA1.2.987654321.1712345678",
    "sessionid=9f2c1e5a7b3d4c6e8f0a1b2c3d4e5f60; csrftoken=Xk3pQ9rT2vW8yZ1aB4cD6eF7gH0jK5mN",
    "OptanonConsent=isGpcEnabled=0&datestamp=Mon+Dec+01+2026+10%3A12%3A44+GMT%2B0100&version=202409.1.0&groups=C0001%3A1%2CC0002%3A0",
    "theme=dark; lang=en-GB; tz=Europe%2FLondon",
    "__stripe_mid=4c1a3b2e-7d6f-4e5a-9b8c-0d1e2f3a4b5c; cart=%7B%22items%22%3A2%7D",
    "AWSALB=QmFzZTY0IGxvb2tzIGxpa2UgdGhpcyBidXQgaXMganVzdCBhIGNvb2tpZQ==; AWSALBCORS=QmFzZTY0",
]

# Hand-written values with a name each; each becomes a query, form, JSON or header value.
VALUES = [
    ("name", "Mary O'Brien"),
    ("name", "D'Angelo Russell"),
    ("last_name", "O'Neil-Smith"),
    ("company", "Johnson & Johnson"),
    ("company", "AT&T Inc."),
    ("title", "Don't Stop Me Now"),
    ("q", "how to select all rows from a table where id is null"),
    ("q", "union station to grand central"),
    ("q", "drop shipping business ideas"),
    ("q", "insert coin to continue"),
    ("q", "\"exact phrase\" -excluded site:example.com"),
    ("q", "status:open AND label:bug OR label:\"needs review\""),
    ("q", "price >= 10 and price <= 100"),
    ("q", "1+1=2"),
    ("q", "c++ vs c#"),
    ("q", "rock & roll hall of fame"),
    ("q", "what does rm -rf do"),
    ("q", "cat videos"),
    ("q", "echo dot 5th gen"),
    ("q", "the wget and curl commands compared"),
    ("q", "<3 valentines gifts"),
    ("q", "5' 11\" in cm"),
    ("q", "I'm feeling lucky"),
    ("q", "why is 0.1 + 0.2 != 0.3"),
    ("comment", "Great product! I'd buy it again; shipping took 3-5 days (as promised)."),
    ("comment", "Please update the shipping address: 221B Baker Street, London NW1 6XE."),
    ("comment", "We're having issues with the 'select' dropdown on Safari -- it doesn't open."),
    ("comment", "If you OR your team have questions, email us at support@example.com."),
    ("comment", "Rating: 4/5. Would recommend to friends & family."),
    ("comment", "The meeting is at 10:30 (UTC+1); agenda: review, Q&A, next steps."),
    ("comment", "Use the `ls -la` command to list hidden files, then `cd ..` to go up."),
    ("comment", "Order #12345 was delivered to the wrong door; please drop it at reception next time."),
    ("comment", "Is 100% cotton; wash at 30°C. Size chart: S/M/L/XL."),
    ("message", "Hi Bob,\nthanks for the update.\n\nRegards,\nAlice"),
    ("bio", "Software engineer @ ACME. Likes C, Rust & long walks. Opinions are my own."),
    ("html", "<p>Hello <strong>world</strong>, see <a href=\"https://example.com/docs\">the docs</a>.</p>"),
    ("html", "<ul><li>First item</li><li>Second item</li></ul><img src=\"/media/cat.png\" alt=\"A cat\">"),
    ("html", "<blockquote>Quoted text</blockquote><p><em>Italic</em> and <code>inline code</code></p>"),
    ("markdown", "# Title\n\n* item one\n* item two\n\n```\nnpm install --save lodash\n```\n"),
    ("code", "def add(a, b):\n    return a + b\n"),
    ("code", "for (let i = 0; i < items.length; i++) { total += items[i].price; }"),
    ("code", "SELECT name, email FROM users WHERE id = ?"),
    ("sort", "price desc, name asc"),
    ("fields", "id,name,email,created_at"),
    ("expand", "customer.address,items.product"),
    ("graphql", "query GetUser($id: ID!) { user(id: $id) { id name email posts(first: 10) { edges { node { title } } } } }"),
    ("graphql", "mutation { addComment(postId: 42, body: \"Nice post!\") { id } }"),
    ("url", "https://www.example.com/products/123?ref=newsletter&utm_source=email"),
    ("callback", "https://app.example.com/oauth/callback"),
    ("return_to", "/account/settings?tab=security"),
    ("next", "/dashboard"),
    ("redirect_uri", "https://client.example.org/cb"),
    ("image", "https://cdn.example.com/images/2024/05/hero@2x.webp"),
    ("avatar", "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="),
    ("file", "reports/2024/q1-summary.pdf"),
    ("file", "IMG_2024-05-01 12.30.45.jpg"),
    ("path", "C:\\Users\\alice\\Documents\\cv.docx"),
    ("path", "/home/alice/projects/app/src/main.rs"),
    ("path", "docs/getting-started/index.md"),
    ("version", "1.2.3-beta.4+build.567"),
    ("range", "bytes=0-1023"),
    ("phone", "+1 (555) 123-4567"),
    ("email", "first.last+tag@sub.example.co.uk"),
    ("ip", "203.0.113.42"),
    ("mac", "00:1A:2B:3C:4D:5E"),
    ("uuid", "3f2504e0-4f89-11d3-9a0c-0305e82c3301"),
    ("date", "2024-05-01T12:30:45.123+02:00"),
    ("cron", "*/5 * * * *"),
    ("regex", "^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$"),
    ("template", "Hello {name}, your order {order_id} has shipped."),
    ("template", "Dear {{ customer.first_name }}, thank you for your order."),
    ("formula", "=SUM(A1:A10)/COUNT(A1:A10)"),
    ("math", "(a + b) * c / 2"),
    ("math", "x^2 + 2x + 1 = 0"),
    ("password", "P@ssw0rd!#2024$"),
    ("password", "correct horse battery staple"),
    ("password", "a'b\"c;d--e"),
    ("token", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"),
    ("address", "Flat 3, 12 O'Connell St.; Dublin 1"),
    ("address", "Rua São João, 45 – Apt. 12B, São Paulo"),
    ("city", "Zürich"),
    ("name", "Дмитрий Иванов"),
    ("name", "山田 太郎"),
    ("emoji", "Thanks! 🎉👍"),
    ("tags", "sql,databases,performance,indexing"),
    ("tags", "linux;bash;shell-scripting"),
    ("command", "restart"),
    ("action", "delete"),
    ("action", "exec"),
    ("type", "script"),
    ("lang", "javascript"),
    ("os", "windows"),
    ("ua", "curl/8.5.0"),
    ("percent", "50% off everything"),
    ("ratio", "16:9"),
    ("list", "1, 2, 3, 4, 5"),
    ("json", "{\"a\":1,\"b\":[true,false,null]}"),
    ("note", "Call me at 555-0100 -- or after 6pm; thanks!"),
    ("note", "Attached: invoice #42 (paid)."),
    ("note", "See section 3.2 of the spec: \"MUST NOT\" vs \"SHOULD NOT\"."),
    ("sql_hint", "The report uses a LEFT JOIN between orders and customers."),
    ("shell_hint", "Run make && make install, then reboot."),
    ("description", "Stainless steel water bottle, 750 ml, keeps drinks cold for 24 h & hot for 12 h."),
    ("description", "Windows 11 Pro / Office 2021 compatible; requires .NET 8 runtime."),
    ("subject", "Re: [JIRA] (PROJ-1234) Login page returns 500 for users with ' in their name"),
]

PATHS = ["/api/v1/items", "/api/search", "/submit", "/profile/update", "/graphql", "/v2/events",
         "/comments/new", "/checkout", "/api/users/42", "/settings"]


def req(rid, method, uri, headers, body=""):
    return {"id": rid, "method": method, "uri": uri, "headers": headers, "body": body}


def base_headers(host):
    h = [["Host", host], ["User-Agent", rng.choice(UAS)], ["Accept", "application/json, text/plain, */*"],
         ["Accept-Language", rng.choice(["en-US,en;q=0.9", "de-DE,de;q=0.8,en;q=0.5", "fr-FR"])]]
    if rng.random() < 0.5:
        h.append(["Cookie", rng.choice(COOKIES)])
    return h


def place(rid, name, value, how):
    host = rng.choice(["shop.example.com", "api.example.org", "app.example.net"])
    path = rng.choice(PATHS)
    h = base_headers(host)
    if how == "query":
        return req(rid, "GET", f"{path}?{urllib.parse.urlencode({name: value, 'page': '1'})}", h)
    if how == "form":
        body = urllib.parse.urlencode({name: value, "submit": "Save"})
        h += [["Content-Type", "application/x-www-form-urlencoded"], ["Content-Length", str(len(body.encode()))]]
        return req(rid, "POST", path, h, body)
    body = json.dumps({name: value, "id": rng.randint(1, 99999)}, ensure_ascii=False)
    h += [["Content-Type", "application/json"], ["Content-Length", str(len(body.encode()))]]
    return req(rid, rng.choice(["POST", "PUT", "PATCH"]), path, h, body)


def docstrings(limit):
    out = []
    files = sorted(glob.glob(os.path.join(sys.prefix, "lib/python3*/*.py")))
    rng.shuffle(files)
    for f in files:
        try:
            text = open(f, encoding="utf-8").read()
        except (OSError, UnicodeDecodeError):
            continue
        for m in re.finditer(r'"""(.{40,400}?)"""', text, re.S):
            s = " ".join(m.group(1).split())
            if s and not any(x in s for x in (">>>", "$(", "`")):
                out.append(s)
                break
        if len(out) >= limit:
            break
    return out


def package_jsons(limit):
    out = []
    files = sorted(glob.glob("/usr/lib/node_modules/**/package.json", recursive=True))
    rng.shuffle(files)
    for f in files:
        try:
            d = json.load(open(f, encoding="utf-8"))
        except (OSError, ValueError):
            continue
        keep = {k: d[k] for k in ("name", "version", "description", "keywords", "homepage",
                                  "repository", "bugs", "license", "author", "engines") if k in d}
        # Markdown inline code in descriptions (`chown -R`) reads as shell command substitution.
        if len(keep) >= 4 and "`" not in json.dumps(keep):
            out.append(keep)
        if len(out) >= limit:
            break
    return out


def main():
    out = []
    for i, (name, value) in enumerate(VALUES):
        for how in ("query", "form", "json"):
            out.append(place(f"benign-v{i}-{how}", name, value, how))
    for i, s in enumerate(docstrings(80)):
        out.append(place(f"benign-doc{i}", rng.choice(["text", "comment", "summary"]), s,
                         rng.choice(["query", "form", "json"])))
    for i, d in enumerate(package_jsons(60)):
        body = json.dumps(d, ensure_ascii=False)
        h = base_headers("registry.example.com") + [["Content-Type", "application/json"],
                                                    ["Content-Length", str(len(body.encode()))]]
        out.append(req(f"benign-pkg{i}", "PUT", f"/packages/{urllib.parse.quote(d['name'], safe='')}", h, body))
        for url_key in ("homepage",):
            if isinstance(d.get(url_key), str):
                out.append(req(f"benign-pkgurl{i}", "GET",
                               "/preview?" + urllib.parse.urlencode({"url": d[url_key]}),
                               base_headers("app.example.net")))
    # Browser page loads with the headers browsers really send.
    for i in range(20):
        h = base_headers("www.example.com") + [
            ["Referer", f"https://www.example.com/category/{rng.choice(['shoes', 'books', 'garden'])}?page={i}"],
            ["Sec-Fetch-Mode", "navigate"], ["Sec-Ch-Ua", "\"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\""],
            ["If-None-Match", "W/\"5e15153d-120f\""], ["X-Requested-With", "XMLHttpRequest"],
            ["X-Forwarded-For", "203.0.113.7, 198.51.100.23"]]
        out.append(req(f"benign-page{i}", "GET", f"/static/js/app.{rng.randrange(16**8):08x}.js", h))
    for r in out:
        print(json.dumps(r, ensure_ascii=False, separators=(",", ":")))


if __name__ == "__main__":
    main()
