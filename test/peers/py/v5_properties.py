"""An MQTT 5 session that exercises properties: CONNECT properties, subscription options and identifier,
PUBLISH properties including a topic alias (second publish sends an empty topic), UNSUBSCRIBE, and a
DISCONNECT with a reason code and properties."""
import time

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from common import Waiter, mqtt5_client, parser

p = parser("MQTT 5 properties tour")
args = p.parse_args()
topic = args.topic

w = Waiter()
client = mqtt5_client(args.client_id or "paho-v5")


def on_connect(c, userdata, flags, rc, properties=None):
    w.set("connack")


def on_message(c, userdata, msg):
    w.set("message")


client.on_connect = on_connect
client.on_subscribe = lambda c, u, mid, rcs, props: w.set("suback")
client.on_unsubscribe = lambda c, u, mid, props, rcs: w.set("unsuback")
client.on_message = on_message

connect_props = Properties(PacketTypes.CONNECT)
connect_props.SessionExpiryInterval = 30
connect_props.ReceiveMaximum = 20
connect_props.MaximumPacketSize = 65536
connect_props.TopicAliasMaximum = 5
connect_props.RequestResponseInformation = 1
connect_props.RequestProblemInformation = 1
connect_props.UserProperty = [("lab", "mqtt"), ("client", "paho")]
client.connect(args.host, args.port, keepalive=45, clean_start=True, properties=connect_props)
client.loop_start()
w.wait("connack")

sub_props = Properties(PacketTypes.SUBSCRIBE)
sub_props.SubscriptionIdentifier = 42
sub_props.UserProperty = ("why", "demo")
options = SubscribeOptions(qos=2, noLocal=False, retainAsPublished=True,
                           retainHandling=SubscribeOptions.RETAIN_SEND_IF_NEW_SUB)
client.subscribe([(topic, options), (topic + "/nl", SubscribeOptions(qos=1, noLocal=True))], properties=sub_props)
w.wait("suback")

pub_props = Properties(PacketTypes.PUBLISH)
pub_props.PayloadFormatIndicator = 1
pub_props.MessageExpiryInterval = 60
pub_props.TopicAlias = 1
pub_props.ResponseTopic = topic + "/reply"
pub_props.CorrelationData = b"req-1"
pub_props.ContentType = "application/json"
pub_props.UserProperty = [("unit", "C")]
client.publish(topic, '{"temperature": 21.5}', qos=1, properties=pub_props).wait_for_publish(5)
w.wait("message")

# Same alias, empty topic: the broker must map it back to the topic set above.
alias_only = Properties(PacketTypes.PUBLISH)
alias_only.TopicAlias = 1
client.publish("", '{"temperature": 21.6}', qos=2, properties=alias_only).wait_for_publish(5)

unsub_props = Properties(PacketTypes.UNSUBSCRIBE)
unsub_props.UserProperty = ("bye", "now")
client.unsubscribe([topic, topic + "/nl"], properties=unsub_props)
w.wait("unsuback")

disc_props = Properties(PacketTypes.DISCONNECT)
disc_props.SessionExpiryInterval = 0
disc_props.ReasonString = "lab finished"
client.disconnect(reasoncode=mqtt.ReasonCodes(PacketTypes.DISCONNECT, "Normal disconnection"), properties=disc_props)
time.sleep(0.1)
client.loop_stop()
