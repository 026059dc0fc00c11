"""The lecture's lab publisher, made finite: connect, publish one JSON temperature reading, disconnect.

MQTT 3.1.1 and QoS 0 like the lecture's snippet; --qos and --count let a test ask for more.
"""
import json
import time

import paho.mqtt.client as mqtt

from common import Waiter, parser

p = parser("publish JSON temperature readings")
p.add_argument("--device", default="RPi1")
p.add_argument("--temperature", type=float, default=21.5)
p.add_argument("--qos", type=int, default=0)
p.add_argument("--count", type=int, default=1)
args = p.parse_args()

w = Waiter()
client = mqtt.Client(client_id=args.client_id)
client.on_connect = lambda c, userdata, flags, rc: w.set("connack")
client.connect(args.host, args.port, keepalive=60)
client.loop_start()
w.wait("connack")

for i in range(args.count):
    reading = {"deviceID": args.device, "temperature": args.temperature + i / 10, "timestamp": time.time()}
    client.publish(args.topic, json.dumps(reading), qos=args.qos).wait_for_publish(5)

client.disconnect()
client.loop_stop()
