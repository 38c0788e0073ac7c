package io.postino.authres;

/**
 * What the checks of a message's content decided about it, handed from the code that reads the
 * content as it streams into the spool to the SMTP session that answers its end: set at most once
 * before the message is committed, read after. Thread-safe.
 */
public final class Verdict {

  private volatile boolean pending;
  private volatile String refusal;

  /** A check that may refuse the message is under way: the session must wait for it before accepting. */
  public void expect() {
    pending = true;
  }

  /** Whether a check may refuse the message (see {@link #expect}). */
  public boolean isExpected() {
    return pending;
  }

  /** Refuses the message; {@code reason} is the text of the reply (e.g. the DMARC policy domain). */
  public void refuse(String reason) {
    refusal = reason;
  }

  /** The reason the message is refused, or null when it is not. */
  public String refusal() {
    return refusal;
  }
}
