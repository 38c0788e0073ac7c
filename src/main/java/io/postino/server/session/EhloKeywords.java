package io.postino.server.session;

import io.postino.server.ServerOptions;
import io.postino.smtp.SaslExchange;
import java.util.ArrayList;
import java.util.List;

/** The service extensions an EHLO reply names (RFC 5321 section 4.1.1.1), as the session can offer them now. */
final class EhloKeywords {

  private EhloKeywords() {
  }

  /**
   * @param startTls whether STARTTLS is offered: configured, and TLS not up yet
   * @param auth     whether AUTH is offered (see {@link AuthDialogue#offered})
   * @param tls      whether the session is TLS (after STARTTLS, or on an implicit TLS port): only
   *                 then is REQUIRETLS offered (RFC 8689 section 2)
   */
  static List<String> of(ServerOptions options, boolean startTls, boolean auth, boolean tls) {
    List<String> extensions = new ArrayList<>(List.of(
        "PIPELINING",
        "SIZE " + options.getMaxMessageSize(),
        "8BITMIME",
        "SMTPUTF8",
        "ENHANCEDSTATUSCODES",
        "CHUNKING",
        "DSN"));
    if (startTls) {
      extensions.add("STARTTLS");
    }
    if (tls) {
      extensions.add("REQUIRETLS");
    }
    if (auth) {
      extensions.add("AUTH " + SaslExchange.MECHANISMS);
      // the pre-standard form some old Outlook versions look for
      extensions.add("AUTH=" + SaslExchange.MECHANISMS);
    }
    return extensions;
  }
}
