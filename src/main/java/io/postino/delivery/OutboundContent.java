package io.postino.delivery;

import io.postino.bus.DeliveryJob;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;

/**
 * The content one transaction sends, as {@link ContentPreparation} made it for its host: the
 * spooled message, or a conversion of it; in memory when small ({@code whole}), otherwise a byte
 * range of a file (the spool file, or a converted copy in {@code temp} that is deleted once sent).
 *
 * @param prefix       octets sent in front of the rest (signatures made again over a converted
 *                     message), or null
 * @param whole        the content, or null when it is read from {@code range}; never changed
 * @param range        where the content lies when not in memory
 * @param temp         a converted copy to delete after the transaction, or null
 * @param unfit        why the message cannot go to this host at all, or null
 * @param eightBitAsIs 8-bit content that goes unconverted to a host without 8BITMIME (converting
 *                     it would break a DKIM signature made elsewhere): a refusal says so
 * @param converted    whether the content is a conversion
 */
record OutboundContent(Buffer prefix, byte[] whole, DeliveryJob.Content range, Path temp, Failure unfit, boolean eightBitAsIs,
    boolean converted) {

  static OutboundContent unfit(Failure why) {
    return new OutboundContent(null, null, null, null, why, false, false);
  }

  long length() {
    return (prefix == null ? 0 : prefix.length()) + (whole != null ? whole.length : range.length());
  }
}
