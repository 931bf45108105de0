"""The one channel layer: every way the portal reaches a person, and every way a person answers.

- `email`: email in the recipient's language (outbox in development, SMTP in production);
- `sms`: system SMS (codes, notices) through `sms_backends` (outbox or Twilio), paced by `sms_pacing`,
  counted by `sms_encoding`;
- `optouts`: STOP/START and web opt-outs; `inbound`: SMS that reach us; `verification`: phone codes;
- `notify`: tell one person one thing through their chosen channel;
- `routes`: Twilio's signed webhooks and the development outbox page;
- `signals`: how features hear of inbound SMS, delivery receipts and opt-outs.

It imports no feature package: features import it, and subscribe to its signals.
"""
