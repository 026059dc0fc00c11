"""Shared bits of the paho peers: argument parsing and waiting for callbacks with a deadline.

Each peer is a short, linear script so a student can read it next to the capture it produced.
"""
import argparse
import sys
import threading

import paho.mqtt.client as mqtt


def parser(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--topic", default="lab/telemetry")
    p.add_argument("--client-id", default="")
    return p


class Waiter:
    """A threading.Event per name, so the main thread can wait for a callback from paho's network loop."""

    def __init__(self):
        self._events = {}

    def event(self, name):
        return self._events.setdefault(name, threading.Event())

    def set(self, name):
        self.event(name).set()

    def wait(self, name, timeout=5.0):
        if not self.event(name).wait(timeout):
            sys.exit(f"timed out waiting for {name}")


def mqtt5_client(client_id):
    return mqtt.Client(client_id=client_id, protocol=mqtt.MQTTv5)
