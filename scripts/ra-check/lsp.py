"""Asks rust-analyzer, over LSP on stdio, what an editor asks while a
function is being typed: completion after `rows.`, hover on `total`, and
go-to-definition of `Row`, in each function of src/typing.rs (whose bodies do
not parse). Prints one line per function and question; exits non-zero if an
annotated function answers differently from the plain one.

Usage: python3 lsp.py RUST_ANALYZER (run from scripts/ra-check)."""

import json
import os
import subprocess
import sys

RA = sys.argv[1]
ROOT = os.getcwd()
FILE = os.path.join(ROOT, "src", "typing.rs")
URI = "file://" + FILE
TEXT = open(FILE).read()
LINES = TEXT.split("\n")

server = subprocess.Popen([RA], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
next_id = 0


def send(message):
    body = json.dumps(message).encode()
    server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    server.stdin.flush()


def receive():
    length = 0
    while True:
        line = server.stdout.readline().strip()
        if not line:
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(server.stdout.read(length))


def request(method, params):
    """Sends a request and returns its result, answering what the server asks meanwhile."""
    global next_id
    next_id += 1
    send({"jsonrpc": "2.0", "id": next_id, "method": method, "params": params})
    while True:
        message = receive()
        if message.get("id") == next_id and "method" not in message:
            return message.get("result")
        if "method" in message and "id" in message:  # a request from the server
            send({"jsonrpc": "2.0", "id": message["id"], "result": None})


def wait_until_quiescent():
    while True:
        message = receive()
        if "method" in message and "id" in message:
            send({"jsonrpc": "2.0", "id": message["id"], "result": None})
        elif message.get("method") == "experimental/serverStatus" and message["params"].get("quiescent"):
            return


request("initialize", {
    "processId": os.getpid(),
    "rootUri": "file://" + ROOT,
    "capabilities": {
        "experimental": {"serverStatusNotification": True},
        "textDocument": {"hover": {"contentFormat": ["plaintext"]}, "diagnostic": {}},
    },
    "initializationOptions": {"cargo": {"targetDir": True}},
})
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
    "textDocument": {"uri": URI, "languageId": "rust", "version": 1, "text": TEXT}}})
wait_until_quiescent()


def position_in(function, needle, offset):
    """The position of `needle` (plus `offset` characters) in `function`'s body."""
    start = next(i for i, line in enumerate(LINES) if f"fn {function}(" in line)
    for number in range(start + 1, len(LINES)):
        column = LINES[number].find(needle)
        if column >= 0:
            return {"line": number, "character": column + offset}
    raise LookupError(needle)


def answers(function):
    where = {"textDocument": {"uri": URI}}
    completion = request("textDocument/completion", {
        **where, "position": position_in(function, "let next = rows.", len("let next = rows."))})
    items = completion["items"] if isinstance(completion, dict) else (completion or [])
    labels = sorted({item["label"].split("(")[0] for item in items})
    hover = request("textDocument/hover", {**where, "position": position_in(function, "Ok(total)", 3)})
    hovered = hover["contents"]["value"] if hover else ""
    definition = request("textDocument/definition", {**where, "position": position_in(function, "&Row", 1)})
    targets = [os.path.relpath(d.get("targetUri", d.get("uri", ""))[len("file://"):], ROOT) + ":"
               + str(d.get("targetRange", d.get("range"))["start"]["line"] + 1) for d in (definition or [])]
    return {
        "diagnostics": diagnostics_in(function),
        "completion after `rows.`": f"{len(labels)} items, `iter` {'in' if 'iter' in labels else 'NOT in'} them",
        "hover on `total`": " ".join(hovered.split())[:60] or "nothing",
        "definition of `Row`": ", ".join(targets) or "nothing",
    }


report = request("textDocument/diagnostic", {"textDocument": {"uri": URI}})
DIAGNOSTICS = (report or {}).get("items", [])


def diagnostics_in(function):
    """rust-analyzer's own diagnostics inside `function` (its syntax errors, unresolved macros)."""
    start = next(i for i, line in enumerate(LINES) if f"fn {function}(" in line)
    end = next((i for i in range(start + 1, len(LINES)) if LINES[i].startswith("}")), len(LINES))
    found = [d for d in DIAGNOSTICS if start <= d["range"]["start"]["line"] <= end]
    messages = "; ".join(sorted({d["message"].split("\n")[0][:48] for d in found}))
    return f"{len(found)}: {messages}"


plain = answers("plain_typing")
failed = False
for function in ["plain_typing", "annotated_typing", "annotated_typing_recover"]:
    got = plain if function == "plain_typing" else answers(function)
    for question, answer in got.items():
        # Diagnostics are compared by number: a mismatch's message may name
        # the expansion's types.
        key = (lambda a: a.split(":")[0]) if question == "diagnostics" else (lambda a: a)
        same = "" if function == "plain_typing" else ("  (as plain)" if key(answer) == key(plain[question]) else "  DIFFERS")
        failed |= same == "  DIFFERS"
        print(f"{function:26} {question:26} {answer}{same}")
request("shutdown", None)
send({"jsonrpc": "2.0", "method": "exit"})
sys.exit(1 if failed else 0)
