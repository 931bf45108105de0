"""What the channel layer tells features, without knowing them (blinker signals).

Connect a receiver in the feature's services module (imported when its blueprint is registered):

    from watch.messaging.signals import sms_received

    @sms_received.connect
    def link_reply(reply, **extra) -> bool:
        ...  # same transaction as the webhook: flush, never commit
        return True  # the SMS answers something of ours

- `sms_received`: sender is the stored `SmsReply` (any kind, any `problem`), after STOP/START took
  effect (`reply.kind`). A receiver returns True when the SMS answers something of its feature and it
  took it (alerts: an alert sent to that number within 24 hours, which it links), anything else
  otherwise. It may set `alert_id`, `user_id` and `municipality_id` (whose SMS inbox shows it).
- `sms_unclaimed`: sender is the same `SmsReply`, sent after `sms_received` when no receiver claimed
  it, it is an ordinary message (not STOP/START) without a `problem` (empty, too long, unreadable,
  flood), and it came from a known, verified number (`reply.user_id`). A receiver returns True when it
  took the SMS (observations: a report by SMS; it sets `observation_id` and answers the sender).
  Unclaimed SMS from unknown numbers get messaging's own short answer instead (watch/messaging/inbound.py).
- `sms_filed`: sender is the same `SmsReply`, sent last, once the features above have had it (not for
  a duplicate). `reply.state` is still new when the SMS waits for staff (the inbox announces those).
- `sms_status_reported`: sender is the delivery id Twilio's status callback named; keyword
  arguments `attempt`, `sid`, `status` (Twilio's word) and `error_code`.
- `sms_opted_out`: sender is the phone number (E.164) that may get no more SMS.
"""
from blinker import Namespace

_signals = Namespace()

sms_received = _signals.signal("sms-received")
sms_unclaimed = _signals.signal("sms-unclaimed")
sms_filed = _signals.signal("sms-filed")
sms_status_reported = _signals.signal("sms-status-reported")
sms_opted_out = _signals.signal("sms-opted-out")
