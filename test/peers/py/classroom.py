"""A classroom: many students' paho clients on one broker, each publishing a reading once a second.

One process drives them all (each client runs paho's network loop in its own thread), plus a
"lecturer" client subscribed to every student's topic that counts what the broker delivered.
Prints one JSON line: messages published and received per client id, and how long connecting took.
"""
import json
import sys
import threading
import time

import paho.mqtt.client as mqtt

from common import parser

p = parser("many clients publishing once a second")
p.add_argument("--clients", type=int, default=50)
p.add_argument("--seconds", type=int, default=5)
p.add_argument("--prefix", default="student-")
p.add_argument("--idle", type=int, default=0, help="extra clients (quiet-N) that connect and then say nothing")
p.add_argument("--linger", type=float, default=0, help="seconds everyone stays connected after the last reading")
args = p.parse_args()


def new_client(client_id):
    try:
        return mqtt.Client(mqtt.CallbackAPIVersion.VERSION1, client_id=client_id)  # paho-mqtt 2.x
    except AttributeError:
        return mqtt.Client(client_id=client_id)  # paho-mqtt 1.x


lock = threading.Lock()
received = {}
suback = threading.Event()


def on_message(client, userdata, msg):
    sender = msg.topic.split("/")[1]
    with lock:
        received[sender] = received.get(sender, 0) + 1


lecturer = new_client("lecturer")
lecturer.on_message = on_message
lecturer.on_subscribe = lambda c, u, mid, granted: suback.set()
lecturer.connect(args.host, args.port, keepalive=30)
lecturer.loop_start()
lecturer.subscribe("lab/+/temp", qos=1)
if not suback.wait(10):
    sys.exit("the lecturer's SUBACK never came")

ids = [f"{args.prefix}{i + 1:03d}" for i in range(args.clients)]
connected = threading.Semaphore(0)
students = []
began = time.time()
for cid in ids:
    c = new_client(cid)
    c.on_connect = lambda client, userdata, flags, rc: connected.release() if rc == 0 else None
    c.connect(args.host, args.port, keepalive=30)
    c.loop_start()
    students.append((cid, c))
quiet = []
for i in range(args.idle):
    c = new_client(f"quiet-{i + 1}")
    c.on_connect = lambda client, userdata, flags, rc: connected.release() if rc == 0 else None
    # A long keepalive, so not even a PINGREQ breaks their silence while the test looks at them.
    c.connect(args.host, args.port, keepalive=300)
    c.loop_start()
    quiet.append(c)
for _ in range(len(ids) + len(quiet)):
    if not connected.acquire(timeout=max(1.0, 30 - (time.time() - began))):
        sys.exit("not every student got a CONNACK within 30 s")
connect_seconds = time.time() - began

published = {cid: 0 for cid in ids}
pending = []
start = time.time()
for second in range(args.seconds):
    delay = start + second - time.time()
    if delay > 0:
        time.sleep(delay)
    for n, (cid, c) in enumerate(students):
        reading = {"deviceID": cid, "temperature": 20 + n / 10, "second": second}
        pending.append(c.publish(f"lab/{cid}/temp", json.dumps(reading), qos=1))
        published[cid] += 1
for info in pending:
    info.wait_for_publish(10)

deadline = time.time() + 15
while time.time() < deadline:
    with lock:
        if sum(received.values()) >= sum(published.values()):
            break
    time.sleep(0.1)

time.sleep(args.linger)
for c in quiet:
    c.disconnect()
    c.loop_stop()
for _, c in students:
    c.disconnect()
    c.loop_stop()
lecturer.disconnect()
lecturer.loop_stop()
with lock:
    print(json.dumps({"published": published, "received": dict(received), "connectSeconds": round(connect_seconds, 3),
                      "publishSeconds": round(time.time() - start, 3)}))
