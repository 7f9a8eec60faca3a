"""The positions a client names to follow streams from, `{"board": 41, "user.7": 12}`:
in `auth` (when it connects) or in `resume`. Both are checked here, so both get the
same answers for the same mistakes (docs/realtime.md, "Catch-up").

Nothing here queries: whether the user may follow a well-formed stream is the
registry's question, asked when the stream is followed (api/realtime/following.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from api.realtime.streams import is_stream_name

# Sequences are database bigints: a larger number could not even be compared.
MAX_SEQUENCE = 2**63 - 1
# A name that is no stream is echoed back cut to this length (it is the client's bug,
# not something to mirror in full).
_ECHOED_NAME = 64


@dataclass(slots=True)
class Positions:
    valid: dict[str, int] = field(default_factory=dict)
    # Each refusal as reply_error's arguments: the message, then its other fields.
    errors: list[tuple[str, dict]] = field(default_factory=list)


def parse_positions(kind: str, raw) -> Positions:
    """`raw` is the `streams` field of a `kind` message ("auth" or "resume").

    A malformed whole (not an object, too many streams) refuses every entry; a
    malformed entry (a name that is no stream, a sequence that is no non-negative
    integer) refuses that entry only.
    """
    if not isinstance(raw, dict):
        return Positions(
            errors=[
                (
                    f"'{kind}' needs 'streams': {{stream: last sequence}}.",
                    {"code": "invalid_streams", "field": "streams"},
                )
            ]
        )
    limit = settings.REALTIME_MAX_STREAMS
    if len(raw) > limit:
        return Positions(
            errors=[
                (
                    f"At most {limit} streams per socket.",
                    {"code": "too_many_streams", "field": "streams", "limit": limit},
                )
            ]
        )
    positions = Positions()
    for stream, after in raw.items():
        if not is_stream_name(stream):
            positions.errors.append(
                ("Unknown stream.", {"code": "unknown_stream", "stream": stream[:_ECHOED_NAME]})
            )
        elif (
            not isinstance(after, int) or isinstance(after, bool) or not 0 <= after <= MAX_SEQUENCE
        ):
            positions.errors.append(
                (
                    "Sequences are non-negative integers.",
                    {"code": "invalid_sequence", "stream": stream},
                )
            )
        else:
            positions.valid[stream] = after
    return positions
