package io.postino.local;

import io.postino.queue.SpooledMessage;
import io.postino.smtp.MailAddress;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;

/**
 * Delivers a spooled message to a local mailbox in Maildir format:
 * {@code <root>/<domain>/<user>/new/<unique name>}, written to {@code tmp/} first, fsync'd, then
 * linked into {@code new/} and the directory fsync'd. The file starts with {@code Return-Path:}
 * and {@code Delivered-To:} headers followed by the spooled content unchanged.
 *
 * <p>Idempotent: the file name is derived from the queue id and the recipient, so delivering
 * again after a crash finds the earlier copy in {@code new/} and does not make a second one.
 *
 * <p>SECURITY: the user directory comes from the recipient's local part, which the client chose;
 * it is lower-cased and reduced to a safe file name (no {@code /}, no leading dot, no control
 * characters) before it touches the file system.
 */
public final class MaildirDelivery {

  public MaildirDelivery(Vertx vertx, Path root) {
    throw new UnsupportedOperationException("not implemented");
  }

  /**
   * Delivers to one local recipient. The bare {@code <postmaster>} is delivered to
   * {@code postmaster} of {@code defaultDomain}.
   *
   * @return the path of the delivered file in {@code new/}
   */
  public Future<Path> deliver(SpooledMessage message, MailAddress recipient, String defaultDomain) {
    throw new UnsupportedOperationException("not implemented");
  }
}
