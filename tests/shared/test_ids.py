"""shared.ids: version-4 UUIDs from bulk random bytes, never repeated, not across a fork either."""

from __future__ import annotations

import os
import uuid

from shared import ids


def test_ids_are_version_4_uuids_and_distinct() -> None:
    made = [ids.new_uuid() for _ in range(2000)]  # several refills of the buffer
    assert len(set(made)) == len(made)
    for value in made[:50]:
        parsed = uuid.UUID(value)
        assert str(parsed) == value
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
    hexed = ids.new_hex()
    assert len(hexed) == 32 and uuid.UUID(hex=hexed).version == 4


def test_a_forked_child_does_not_reuse_the_parents_bytes() -> None:
    ids.new_uuid()  # the parent holds a partly used buffer
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next id, to the parent
        os.write(write, ids.new_uuid().encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = os.read(read, 64).decode()
    os.close(read)
    assert child != ids.new_uuid()
