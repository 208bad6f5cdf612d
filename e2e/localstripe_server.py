"""localstripe (PyPI), a stateful fake Stripe with its own Stripe.js stand-in, on loopback only.

Its own `localstripe` command listens on every interface and keeps its state in
/tmp/localstripe.pickle; this starts the same app on 127.0.0.1 with its state in a file of the
run's own, from scratch.

Usage: localstripe_server.py PORT STATE_FILE
"""
import logging
import pickle
import sys

from aiohttp import web

import localstripe.resources as resources
from localstripe.server import app

port = int(sys.argv[1])
state = sys.argv[2]


def dump_to_disk(self):
    with open(state, "wb") as f:
        pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)


resources.Store.dump_to_disk = dump_to_disk
logging.basicConfig(level=logging.INFO)
web.run_app(app, host="127.0.0.1", port=port, access_log=logging.getLogger("aiohttp.access"), print=None)
