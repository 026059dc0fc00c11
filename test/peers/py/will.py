"""Connect with a Last Will, then vanish without DISCONNECT so the broker publishes the will.

With --v5 the will carries properties (delay, expiry, content type, response topic, correlation data,
user property), which only MQTT 5 has.
"""
import time

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from common import Waiter, parser

p = parser("connect with a will and drop the connection")
p.add_argument("--will-topic", default="lab/status")
p.add_argument("--v5", action="store_true")
args = p.parse_args()

w = Waiter()
client = mqtt.Client(client_id=args.client_id, protocol=mqtt.MQTTv5 if args.v5 else mqtt.MQTTv311)
if args.v5:
    props = Properties(PacketTypes.WILLMESSAGE)
    props.WillDelayInterval = 0
    props.MessageExpiryInterval = 120
    props.PayloadFormatIndicator = 1
    props.ContentType = "text/plain"
    props.ResponseTopic = "lab/status/ack"
    props.CorrelationData = b"\x01\x02"
    props.UserProperty = ("reason", "power-loss")
    client.will_set(args.will_topic, "sensor offline", qos=1, retain=False, properties=props)
else:
    client.will_set(args.will_topic, "sensor offline", qos=1, retain=True)


def on_connect(c, userdata, flags, rc, properties=None):
    w.set("connack")


client.on_connect = on_connect
client.connect(args.host, args.port, keepalive=30)
client.loop_start()
w.wait("connack")
client.publish(args.topic, "alive", qos=0)
time.sleep(0.2)
client.loop_stop()
# Closing the socket under paho is the ungraceful end the will exists for.
client.socket().close()
