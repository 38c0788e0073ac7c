package io.postino.mime;

import java.io.IOException;
import java.io.InputStream;

/**
 * Signs a message again once it has been converted, for the signer that signed it on the way in
 * (Postino's DKIM signing): a conversion changes the body, so the signatures made over the
 * original no longer verify and are replaced by ones made over the converted octets.
 */
@FunctionalInterface
public interface Resigner {

  /**
   * The header fields (CRLF-terminated) to put in front of the message read from {@code message},
   * made over exactly those octets, or null when it cannot be signed (no key for its author
   * domain any more). Blocking: called on a worker.
   *
   * @param id the message's queue id, for the log
   */
  byte[] sign(String id, InputStream message) throws IOException;
}
