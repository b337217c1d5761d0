"""A real SMTP server for tests and benchmarks (asyncio, standard library only): it speaks enough
ESMTP for Django's SMTP backend (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), accepts every
message and counts them by Message-ID, with their recipients. It runs on a loopback port in a
thread of its own, so the code under test talks to it over a real socket.

``refuse`` holds addresses the server answers ``550`` to at RCPT (a permanent refusal);
``on_message(message_id, recipients)`` is called (in the sink's thread) after a message is
received and before the server answers ``250``: what the client sees as "accepted" comes after.
"""

import asyncio
import re
import threading
import time
from collections import Counter
from collections.abc import Callable

MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(<[^>\r\n]*>)", re.IGNORECASE | re.MULTILINE)


class SmtpSink:
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.host, self.port = host, port
        self.refuse: set[str] = set()
        self.on_message: Callable[[str, list[str]], None] | None = None
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._recipients: dict[str, set[str]] = {}
        self._total = 0
        self.connections = 0  # SMTP sessions opened by clients
        self.first_at = self.last_at = 0.0  # time.monotonic() of the first and last message
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None

    # --- What arrived ---------------------------------------------------------------------

    @property
    def total(self) -> int:
        """Messages accepted, repeats included."""
        with self._lock:
            return self._total

    def counts(self) -> Counter[str]:
        """Messages accepted per Message-ID."""
        with self._lock:
            return Counter(self._counts)

    def duplicates(self) -> int:
        """Messages beyond the first of each Message-ID."""
        with self._lock:
            return self._total - len(self._counts)

    def recipients(self) -> set[str]:
        """Every address that received at least one message."""
        with self._lock:
            return set().union(*self._recipients.values()) if self._recipients else set()

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
            self._recipients.clear()
            self._total = 0
            self.connections = 0
            self.first_at = self.last_at = 0.0

    # --- Running --------------------------------------------------------------------------

    def start(self) -> "SmtpSink":
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            self._server = loop.run_until_complete(
                asyncio.start_server(self._session, self.host, self.port, backlog=128)
            )
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            self._server.close()
            loop.run_until_complete(self._server.wait_closed())
            loop.close()

        self._thread = threading.Thread(target=run, name="smtp-sink", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the SMTP sink did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = None

    def __enter__(self) -> "SmtpSink":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- The protocol ---------------------------------------------------------------------

    def _record(self, data: bytes, recipients: list[str]) -> None:
        head = data.split(b"\r\n\r\n", 1)[0]
        found = MESSAGE_ID.search(head)
        message_id = found.group(1).decode("ascii", "replace") if found else ""
        if self.on_message is not None:
            self.on_message(message_id, recipients)
        with self._lock:
            now = time.monotonic()
            self.first_at = self.first_at or now
            self.last_at = now
            self._total += 1
            self._counts[message_id] += 1
            self._recipients.setdefault(message_id, set()).update(recipients)

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        def reply(text: str) -> None:
            writer.write(text.encode("ascii") + b"\r\n")

        with self._lock:
            self.connections += 1
        reply("220 sink ESMTP")
        recipients: list[str] = []
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                verb = line[:4].upper()
                if verb == b"EHLO":
                    reply("250-sink")
                    reply("250-8BITMIME")
                    reply("250 SMTPUTF8")
                elif verb == b"HELO":
                    reply("250 sink")
                elif verb == b"MAIL":
                    recipients = []
                    reply("250 OK")
                elif verb == b"RCPT":
                    address = line.split(b":", 1)[1].strip().split(b" ")[0].strip(b"<>")
                    text = address.decode("utf-8", "replace")
                    if text in self.refuse:
                        reply("550 5.1.1 refused by the sink")
                    else:
                        recipients.append(text)
                        reply("250 OK")
                elif verb == b"DATA":
                    reply("354 go on")
                    await writer.drain()
                    raw = await reader.readuntil(b"\r\n.\r\n")
                    data = raw[: -len(b".\r\n")].replace(b"\r\n..", b"\r\n.")
                    if self.on_message is not None:  # it may block: not on the event loop
                        await asyncio.get_running_loop().run_in_executor(
                            None, self._record, data, list(recipients)
                        )
                    else:
                        self._record(data, list(recipients))
                    recipients = []
                    reply("250 OK queued")
                elif verb == b"RSET":
                    recipients = []
                    reply("250 OK")
                elif verb == b"NOOP":
                    reply("250 OK")
                elif verb == b"QUIT":
                    reply("221 bye")
                    await writer.drain()
                    break
                else:
                    reply("502 not implemented")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
