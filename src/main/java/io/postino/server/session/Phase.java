package io.postino.server.session;

/**
 * Where the dialogue of one session stands, and so what the client's next bytes are: nothing yet
 * (before the greeting, during a TLS handshake), a command, a response to an AUTH challenge, or
 * message content. A session waiting for something (see {@link Wait}) stays in its
 * phase and carries on in it.
 */
enum Phase {

  /** Connected, not greeted yet (a greeting delay, or implicit TLS): a client that talks now is refused. */
  CONNECTED,

  /** A TLS handshake is under way: whatever arrives in plaintext meanwhile is never read. */
  TLS_HANDSHAKE,

  /** Greeted: commands are read; HELO/EHLO has not been said (again, after STARTTLS). */
  GREETED,

  /** HELO/EHLO said: commands are read, and a transaction may start. */
  READY,

  /** After a 334 challenge: the next line answers it and is no command. */
  AUTH_RESPONSE,

  /** After 354: content up to CRLF "." CRLF. */
  DATA,

  /** Inside a BDAT chunk: exactly the announced number of octets. */
  BDAT,

  /** Closing: pending replies go out, nothing more is read. */
  CLOSING,

  /** The connection is closed. */
  CLOSED;

  /** Message content is being received: its deadline and minimum data rate apply. */
  boolean readsContent() {
    return this == DATA || this == BDAT;
  }

  /** Closing or closed: nothing is read any more, and the phase never changes back. */
  boolean isClosing() {
    return this == CLOSING || this == CLOSED;
  }
}
