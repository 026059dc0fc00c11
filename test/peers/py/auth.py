"""Connect with a user name and password. Exit code 0 when the broker accepts, 3 when it refuses,
so a test can drive the wrong-password case and check that it really was refused."""
import sys

import paho.mqtt.client as mqtt

from common import Waiter, parser

p = parser("connect with credentials")
p.add_argument("--username", required=True)
p.add_argument("--password", required=True)
p.add_argument("--v5", action="store_true")
args = p.parse_args()

w = Waiter()
result = {}
client = mqtt.Client(client_id=args.client_id, protocol=mqtt.MQTTv5 if args.v5 else mqtt.MQTTv311)
client.username_pw_set(args.username, args.password)


def on_connect(c, userdata, flags, rc, properties=None):
    result["rc"] = rc
    w.set("connack")


client.on_connect = on_connect
client.connect(args.host, args.port, keepalive=30)
client.loop_start()
w.wait("connack")
accepted = result["rc"] == 0
if accepted:
    client.publish(args.topic, "authenticated", qos=1).wait_for_publish(5)
    client.disconnect()
client.loop_stop()
sys.exit(0 if accepted else 3)
