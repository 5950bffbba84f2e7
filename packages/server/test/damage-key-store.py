"""Makes a running gateway's SQLite key store fail, for real: its api_keys table's page is overwritten
with bytes SQLite cannot read, as a failing disk would leave it. Every lookup the gateway makes from then
on fails with SQLITE_CORRUPT, which the verifier must answer with 503, never with 200 or 401.

SQLite has no server to stop, and gentler outages do not reach a running gateway: a removed or
chmod-ed file stays readable through its open descriptor (and root ignores modes), and a lock held by
another process cannot block WAL readers. The file cannot be used afterwards.

Usage: python3 damage-key-store.py FILE
"""

import sqlite3
import sys
import time


def main(path):
    db = sqlite3.connect(path, isolation_level=None)
    # Move every committed page from the WAL into the file and empty the WAL, so that the gateway's
    # next read comes from the file (a page still in the WAL would be read from there instead). The
    # gateway holds no read transaction between requests, so this succeeds within a few tries.
    for _ in range(50):
        busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy == 0:
            break
        time.sleep(0.05)
    else:
        sys.exit("the WAL could not be checkpointed: a reader never let go")
    (root,) = db.execute("SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'api_keys'").fetchone()
    (size,) = db.execute("PRAGMA page_size").fetchone()
    db.close()
    with open(path, "r+b") as file:
        file.seek((root - 1) * size)
        file.write(b"\xff" * size)
    print(f"damaged page {root} of {path}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
