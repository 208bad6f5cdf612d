"""One JSON request over HTTP, for the bench scripts (seed.py, soak/driver.py): standard library
only, so no script needs a virtual environment of its own."""
import json
import urllib.error
import urllib.request


def send(base, method, path, body=None, headers=None, timeout=15):
    """`(status, raw body)` of one request with `body` sent as JSON; `(None, b"")` when no answer
    came (refused, reset, timed out). Error statuses are answers, not exceptions."""
    data = json.dumps(body).encode() if body is not None else None
    request_headers = {"Content-Type": "application/json"} if data is not None else {}
    request_headers.update(headers or {})
    request = urllib.request.Request(base + path, data=data, method=method, headers=request_headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, OSError, TimeoutError):
        return None, b""
