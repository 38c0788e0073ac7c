package io.postino.server.session;

import io.postino.server.ClientSpoolBudget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool space one session's current message holds in its client's {@link ClientSpoolBudget}:
 * taken as content is written, given back when the message is committed or thrown away. Once the
 * address is over its budget the rest of the message is not stored, and the message is refused.
 * Not thread-safe: one per session, on its event loop.
 */
final class SpoolHold {

  private static final Logger log = LoggerFactory.getLogger(SpoolHold.class);

  private final ClientSpoolBudget budget;
  private final String client;
  private long held;
  private boolean over;

  SpoolHold(ClientSpoolBudget budget, String client) {
    this.budget = budget;
    this.client = client;
  }

  /** True when a message of {@code size} octets (0: not declared) could start now. */
  boolean fits(long size) {
    if (budget.fits(client, size)) {
      return true;
    }
    log.info("connection from {}: MAIL refused, its unfinished messages hold {} bytes of spool", client,
        budget.held(client));
    return false;
  }

  /** Takes space for {@code n} more bytes of content; false, from the first refusal on, when over budget. */
  boolean take(int n) {
    if (!over && budget.take(client, n)) {
      held += n;
      return true;
    }
    if (!over) {
      log.info("connection from {}: over its spool budget with {} bytes in unfinished messages", client,
          budget.held(client));
      over = true;
    }
    return false;
  }

  /** The current message went over the budget: refuse it. */
  boolean isOver() {
    return over;
  }

  /** The message is committed or thrown away: its space is given back. */
  void release() {
    budget.give(client, held);
    held = 0;
    over = false;
  }
}
