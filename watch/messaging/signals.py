"""What the channel layer tells features, without knowing them (blinker signals).

Connect a receiver in the feature's services module (imported when its blueprint is registered):

    from watch.messaging.signals import sms_received

    @sms_received.connect
    def link_reply(reply, **extra) -> None:
        ...  # same transaction as the webhook: flush, never commit

- `sms_received`: sender is the stored `SmsReply`, after STOP/START took effect (`reply.kind`).
- `sms_status_reported`: sender is the delivery id Twilio's status callback named; keyword
  arguments `attempt`, `sid`, `status` (Twilio's word) and `error_code`.
- `sms_opted_out`: sender is the phone number (E.164) that may get no more SMS.
"""
from blinker import Namespace

_signals = Namespace()

sms_received = _signals.signal("sms-received")
sms_status_reported = _signals.signal("sms-status-reported")
sms_opted_out = _signals.signal("sms-opted-out")
