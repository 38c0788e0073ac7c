package io.postino.cli;

/** The exit statuses of the operator's commands, from sendmail's {@code sysexits.h} where one fits. */
final class ExitCodes {

  static final int OK = 0;
  /** Some message named was not in the queue (or not on hold, for release). */
  static final int NOT_FOUND = 1;
  /** {@code status}: no server runs (as an LSB init script's {@code status}). */
  static final int NOT_RUNNING = 3;
  /** EX_USAGE: an invalid command line. */
  static final int USAGE = 64;
  /** EX_DATAERR: {@code send} got a message or address it cannot use. */
  static final int DATA_ERROR = 65;
  /** EX_NOUSER: {@code send}: the server refused a recipient for good. */
  static final int NO_USER = 67;
  /** EX_UNAVAILABLE: no server runs (a changing command needs one), or it refused for good. */
  static final int UNAVAILABLE = 69;
  /** EX_SOFTWARE: the server failed to do it. */
  static final int SOFTWARE = 70;
  /** EX_IOERR: reading the message or the spool failed. */
  static final int IO_ERROR = 74;
  /** EX_TEMPFAIL: try again later (a 4xx reply, a connection that failed, a node that timed out). */
  static final int TEMPFAIL = 75;
  /** EX_NOPERM: the admin token is missing, unreadable or refused. */
  static final int NO_PERMISSION = 77;
  /** EX_CONFIG. */
  static final int CONFIG = Main.CONFIG_ERROR;

  private ExitCodes() {
  }
}
