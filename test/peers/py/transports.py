"""A paho client over TLS or WebSocket: connect, subscribe to a topic, publish to it, wait for its own
message to come back, disconnect. The way a student's code talks to a broker on port 8883 or ws://…/mqtt.
"""
import paho.mqtt.client as mqtt

from common import Waiter, parser

p = parser("publish and receive one message over TLS and/or WebSocket")
p.add_argument("--websockets", action="store_true", help="MQTT over WebSocket on path /mqtt")
p.add_argument("--cafile", help="trust this CA and speak TLS")
p.add_argument("--message", default="hello")
args = p.parse_args()

w = Waiter()
client = mqtt.Client(client_id=args.client_id, transport="websockets" if args.websockets else "tcp")
if args.websockets:
    client.ws_set_options(path="/mqtt")
if args.cafile:
    client.tls_set(ca_certs=args.cafile)
client.on_connect = lambda c, userdata, flags, rc: w.set("connack")
client.on_subscribe = lambda c, userdata, mid, granted: w.set("suback")
received = []


def on_message(c, userdata, msg):
    received.append(msg.payload.decode())
    w.set("message")


client.on_message = on_message
client.connect(args.host, args.port, keepalive=60)
client.loop_start()
w.wait("connack")
client.subscribe(args.topic, qos=1)
w.wait("suback")
client.publish(args.topic, args.message, qos=1).wait_for_publish(5)
w.wait("message")
print(received[0])
client.disconnect()
client.loop_stop()
