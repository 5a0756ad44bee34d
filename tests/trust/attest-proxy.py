#!/usr/bin/env python3
"""attest-proxy.py LISTEN_PORT_FILE VERIFIER_PORT MODE [ARG]: a man in the
middle between an attester and `cairn verifier`, for tests/trust/attest-*.sh.
Writes the port it listens on to LISTEN_PORT_FILE, then forwards every
request, doing to it what MODE says:
  pass             nothing
  flip             changes one byte of the evidence of POST /v1/attest
                   (re-encoded, so that the message still parses)
  record FILE      saves the body of POST /v1/attest to FILE
  delay-evidence S waits S seconds before forwarding POST /v1/attest
  delay-result S   waits S seconds before returning the verifier's answer
  extend-pcr TCTI  extends PCR 23 of the TPM at TCTI (tpm2_pcrextend) when
                   the attester asks for a nonce: after its measurements
                   and before its quote
"""
import base64, http.client, http.server, json, os, subprocess, sys, time

port_file, vport, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
arg = sys.argv[4] if len(sys.argv) > 4 else None


class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def forward(self, method, body):
        if method == "GET" and self.path == "/v1/nonce" and mode == "extend-pcr":
            env = dict(os.environ, TPM2TOOLS_TCTI=arg)
            subprocess.run(["tpm2_pcrextend", "23:sha256=" + "ab" * 32], env=env, check=True)
        if method == "POST" and self.path == "/v1/attest":
            if mode == "record":
                with open(arg, "wb") as f:
                    f.write(body)
            if mode == "delay-evidence":
                time.sleep(float(arg))
            if mode == "flip":
                msg = json.loads(body)
                ev = bytearray(base64.b64decode(msg["evidence"]))
                i = ev.index(b'"module":"') + len('"module":"')
                ev[i] ^= 0x01   # one byte of the module's name: still valid JSON
                msg["evidence"] = base64.b64encode(bytes(ev)).decode()
                body = json.dumps(msg).encode()
        c = http.client.HTTPConnection("127.0.0.1", vport, timeout=30)
        c.request(method, self.path, body=body, headers={"Content-Type": "application/json"})
        r = c.getresponse()
        data = r.read()
        if mode == "delay-result" and self.path == "/v1/attest":
            time.sleep(float(arg))
        self.send_response(r.status)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.forward("GET", None)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        self.forward("POST", self.rfile.read(n))


s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(port_file + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(port_file + ".tmp", port_file)
s.serve_forever()
