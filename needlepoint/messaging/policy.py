"""Who may be sent what, on which channel: plain rules over the patient's preferences.

No ORM here, so the rules are easy to read and to test:

- reminders follow the patient's `reminder_channel` (email, text, both or none);
- everything else the patient asked for by booking (confirmation, new time, cancellation,
  a waitlist offer) goes by email, and by text too when their channel includes text;
- a text goes only while the patient's channel includes text: replying STOP removes it,
  so after an opt-out nothing at all is texted (docs/security-targets.md I3).
"""

from __future__ import annotations

from needlepoint.messaging.models import Channel, Purpose
from needlepoint.patients.models import ReminderChannel

EMAIL_CHANNELS = frozenset({ReminderChannel.EMAIL, ReminderChannel.BOTH})
SMS_CHANNELS = frozenset({ReminderChannel.SMS, ReminderChannel.BOTH})

# Replies Twilio (and US carriers) treat as opting out of, or back in to, texts.
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
START_WORDS = frozenset({"START", "UNSTOP"})


def channels_for(*, reminder_channel: str, purpose: str) -> list[Channel]:
    """The channels a new message of `purpose` goes out on, before address checks."""
    channels = []
    if purpose == Purpose.REMINDER:
        if reminder_channel in EMAIL_CHANNELS:
            channels.append(Channel.EMAIL)
    else:
        channels.append(Channel.EMAIL)
    if reminder_channel in SMS_CHANNELS:
        channels.append(Channel.SMS)
    return channels


def allowed(*, reminder_channel: str, purpose: str, channel: str) -> bool:
    """Checked again when the message is sent: preferences may have changed meanwhile."""
    if channel == Channel.SMS:
        return reminder_channel in SMS_CHANNELS
    if purpose == Purpose.REMINDER:
        return reminder_channel in EMAIL_CHANNELS
    return True


def after_stop(reminder_channel: str) -> str:
    """The reminder channel after a STOP reply: email stays if the patient had it."""
    return ReminderChannel.EMAIL if reminder_channel in EMAIL_CHANNELS else ReminderChannel.NONE


def after_start(reminder_channel: str) -> str:
    """The reminder channel after a START reply: texts come back, email stays as it was."""
    return ReminderChannel.BOTH if reminder_channel in EMAIL_CHANNELS else ReminderChannel.SMS


def phone_e164(number: str, *, country_code: str = "1") -> str | None:
    """A phone number as E.164 (+15055550199), or None if it cannot be one.

    Ten digits are a North American number; a leading + keeps its own country code.
    Extensions ("x12", "ext. 3") are dropped.
    """
    text = number.strip().lower()
    for marker in ("ext", "x", "#"):
        text = text.split(marker, 1)[0]
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("+"):
        return f"+{digits}" if 8 <= len(digits) <= 15 else None
    if len(digits) == 10:
        return f"+{country_code}{digits}"
    if len(digits) == 11 and digits.startswith(country_code):
        return f"+{digits}"
    return None


def initials(first_name: str, last_name: str) -> str:
    """'Ramona', 'Begay' → 'R.B.' (what the staff calendar feed shows instead of a name)."""
    return "".join(
        f"{part.strip()[0].upper()}." for part in (first_name, last_name) if part.strip()
    )
