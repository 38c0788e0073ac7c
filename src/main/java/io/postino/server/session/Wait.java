package io.postino.server.session;

/**
 * What a session waits for while it reads no input (its socket is paused, unread input waits).
 * Kept apart from the {@link Phase}: a wait can come in any phase, which carries on after it.
 */
enum Wait {

  NONE,

  /** The server is working for the client: a policy hook, a password check, a commit. */
  SERVER,

  /** The spool's write queue is full; the time is not held against the client's data rate. */
  SPOOL,

  /** The client does not read its replies: its fault, so its idle time runs on. */
  CLIENT
}
