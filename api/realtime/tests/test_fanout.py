"""The pub/sub wire format keeps each event's audience."""

from __future__ import annotations

from api.realtime.audience import EVERYONE, Audience
from api.realtime.fanout import Message, _decode, _encode


def test_an_audience_survives_the_wire():
    audience = Audience(everyone=False, department_ids=(1, 2), user_ids=(9,))
    message = Message(stream="task.4", sequence=3, audience=audience, text='{"x":1}')

    assert _decode(_encode(message)) == message


def test_everyone_travels_as_nothing():
    message = Message(stream="board", sequence=None, audience=EVERYONE, text="{}")

    assert '"a": null' in _encode(message)
    assert _decode(_encode(message)).audience == EVERYONE
