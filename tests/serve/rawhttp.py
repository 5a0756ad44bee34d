"""rawhttp.py: raw HTTP/1.1 exchanges with a `cairn serve` on loopback, for
the serve test scripts that send bytes no HTTP client library would."""
import socket
import time


def ask(port, data, wait=3.0, chunks=None):
    """Sends data (or the pieces in chunks, 20 ms apart) and returns every
    byte the server sends until it closes or `wait` seconds pass quietly."""
    s = socket.create_connection(("127.0.0.1", port), timeout=wait)
    try:
        if chunks:
            for c in chunks:
                s.sendall(c)
                time.sleep(0.02)
        else:
            s.sendall(data)
        out = b""
        while True:
            try:
                b = s.recv(1 << 20)
            except socket.timeout:
                break
            if not b:
                break
            out += b
        return out
    finally:
        s.close()


def status(resp):
    """The status code of the first response in resp, or 0."""
    try:
        return int(resp.split(b" ", 2)[1])
    except Exception:
        return 0
